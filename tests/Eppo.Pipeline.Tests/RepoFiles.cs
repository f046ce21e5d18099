using Eppo.Contracts;

namespace Eppo.Pipeline.Tests;

/// <summary>Files of the repository the tests read (the shipped example specs).</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static RunSpec Example(string name) => RunSpec.Load(Path($"deploy/examples/{name}.json"));

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EppoOrleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("EppoOrleans.sln not found above " + AppContext.BaseDirectory);
    }
}
