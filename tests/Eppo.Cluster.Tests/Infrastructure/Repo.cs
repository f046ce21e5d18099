using Eppo.Tests;
namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>Paths in the repository: the built CLI the silo processes run, and Azurite from npm.</summary>
internal static class Repo
{
    public static string Cli
    {
        get
        {
            var path = Path.Combine(RepoRoot.Root, "client/Eppo.Cli/bin/Release/net10.0/linux-x64/eppo.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} not found: build the solution in Release first (tests/run-all does)");
        }
    }

    public static string Azurite
    {
        get
        {
            var path = Path.Combine(RepoRoot.Root, "node_modules/.bin/azurite");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} not found: run `npm ci` at the repository root (tests/run-all does)");
        }
    }
}
