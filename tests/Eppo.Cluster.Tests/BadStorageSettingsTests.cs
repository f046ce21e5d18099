using Eppo.Cluster.Tests.Infrastructure;

using Eppo.Tests;

namespace Eppo.Cluster.Tests;

/// <summary>Wrong, unreachable or rejected storage settings: one line naming the setting, a non-zero exit, no secret echoed.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BadStorageSettingsTests(ClusterFixture fixture)
{
    static async Task<(int ExitCode, string Output)> EppoAsync(string? connectionEnv, params string[] args)
    {
        var log = Path.GetTempFileName();
        try
        {
            using var process = ChildProcess.Start("dotnet", [Repo.Cli, .. args], log,
                new Dictionary<string, string?> { ["EPPO_STORAGE_CONNECTION"] = connectionEnv });
            var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            return (code, process.Output.Trim());
        }
        finally
        {
            File.Delete(log);
        }
    }

    static string[] Silo(params string[] extra) =>
        ["silo", "--cluster", "azure", "--cluster-id", "bad", "--metrics-url", "none",
         "--silo-port", $"{LoopbackPorts.Free()}", "--gateway-port", $"{LoopbackPorts.Free()}", .. extra];

    [Fact]
    public async Task Malformed_connection_string_names_the_flag_and_does_not_echo_it()
    {
        var (code, text) = await EppoAsync(null, Silo("--connection-string", "AccountKey=hunter2;nonsense"));
        Assert.Equal(2, code);
        Assert.DoesNotContain('\n', text);
        Assert.Contains("--connection-string: not a valid Azure Storage connection string", text);
        Assert.DoesNotContain("hunter2", text);
    }

    [Fact]
    public async Task Missing_connection_string_says_which_setting_to_set()
    {
        var (code, text) = await EppoAsync("", Silo());
        Assert.Equal(2, code);
        Assert.Contains("EPPO_STORAGE_CONNECTION", text);
    }

    [Fact]
    public async Task Unreachable_storage_exits_3_naming_the_environment_variable()
    {
        var port = LoopbackPorts.Free();
        var nobody = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var (code, text) = await EppoAsync(nobody, Silo());
        Assert.Equal(3, code);
        Assert.DoesNotContain('\n', text);
        Assert.Contains("(EPPO_STORAGE_CONNECTION) did not answer", text);
        Assert.DoesNotContain("c2VjcmV0", text);
    }

    [Fact]
    public async Task Rejected_credentials_exit_2_naming_the_setting()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var (code, text) = await EppoAsync(fixture.Azurite.ConnectionStringWithKey(wrongKey), Silo());
        Assert.Equal(2, code);
        Assert.DoesNotContain('\n', text);
        Assert.Contains("EPPO_STORAGE_CONNECTION: storage at", text);
        Assert.Contains("rejected the credentials", text);
    }

    [Fact]
    public async Task Client_with_no_silos_up_exits_3()
    {
        var (code, text) = await EppoAsync(fixture.ConnectionString, "run", "list", "--cluster", "azure", "--cluster-id", $"nobody-{Guid.NewGuid():N}");
        Assert.Equal(3, code);
        Assert.Contains("no silo of cluster", text);
    }
}
