namespace Eppo.Pipeline.Tests.Observability;

/// <summary>Files of the repository (deploy/, docs/) found from the test's bin folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Deploy(params string[] parts) => Path.Combine([Root, "deploy", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EppoOrleans.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no EppoOrleans.sln above {AppContext.BaseDirectory}");
    }
}
