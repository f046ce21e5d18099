namespace Eppo.Tests;

/// <summary>The repository the tests run from (found from the test's bin folder), and paths in it.</summary>
internal static class RepoRoot
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EppoOrleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("EppoOrleans.sln not found above " + AppContext.BaseDirectory);
    }
}
