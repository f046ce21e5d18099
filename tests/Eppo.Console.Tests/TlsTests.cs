using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Eppo.Silo;
using Microsoft.AspNetCore.Builder;

using Eppo.Tests;

namespace Eppo.Console.Tests;

/// <summary>A silo with TLS on its Orleans connections, from a self-signed cluster certificate made for the test.</summary>
public sealed class TlsSiloFixture : IAsyncLifetime
{
    public const string Password = "test-secret";
    readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("eppo-console-tls-");
    WebApplication? _silo;

    public string ClusterPfx => Path.Combine(_dir.FullName, "cluster.pfx");
    public string StrangerPfx => Path.Combine(_dir.FullName, "stranger.pfx");
    public int GatewayPort { get; } = LoopbackPorts.Free();
    public string ClusterId { get; } = $"tls-{Guid.NewGuid():N}"[..16];

    public string[] Cluster => ["--gateway-port", $"{GatewayPort}", "--cluster-id", ClusterId];

    /// <summary>For the clients that must be turned away: give up sooner than the default 10 s.</summary>
    public string[] ClusterQuick => [.. Cluster, "--connect-timeout", "3"];

    public static void WriteSelfSigned(string path, string subject, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
    }

    public async Task InitializeAsync()
    {
        WriteSelfSigned(ClusterPfx, "eppo-test-cluster", Password);
        WriteSelfSigned(StrangerPfx, "someone-else", Password);
        var siloPort = LoopbackPorts.Free();
        _silo = EppoSiloHost.Build(new SiloSettings
        {
            ClusterId = ClusterId, SiloPort = siloPort, PrimarySiloPort = siloPort, GatewayPort = GatewayPort, MetricsUrl = null,
            DataRoot = Path.Combine(_dir.FullName, "data"), TlsCertificate = ClusterPfx, TlsPassword = Password,
        });
        await _silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
        }
        _dir.Delete(recursive: true);
    }
}

[Collection(ConsoleSiloCollection.Name)]
public sealed class TlsTests(TlsSiloFixture tls) : IClassFixture<TlsSiloFixture>
{
    [Fact]
    public async Task Client_with_the_cluster_certificate_connects()
    {
        var result = await EppoCli.RunAsync(["run", "list", "--json", "--tls-cert", tls.ClusterPfx, "--tls-password", TlsSiloFixture.Password, .. tls.Cluster]);

        CliAssert.Succeeded(result);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(result.Stdout).RootElement.ValueKind);
    }

    [Fact]
    public async Task Certificate_and_password_can_come_from_the_environment()
    {
        var environment = new Dictionary<string, string> { ["Eppo__Tls__Certificate"] = tls.ClusterPfx, ["Eppo__Tls__Password"] = TlsSiloFixture.Password };
        var result = await EppoCli.RunAsync(["run", "list", "--json", .. tls.Cluster], environment);

        CliAssert.Succeeded(result);
    }

    [Fact]
    public async Task Client_without_tls_fails_clearly()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync(["run", "list", .. tls.ClusterQuick]), CliAssert.ClusterUnreachable, "did not admit", "--tls-cert");
    }

    [Fact]
    public async Task Client_with_another_certificate_is_not_admitted()
    {
        var result = await EppoCli.RunAsync(["run", "list", "--tls-cert", tls.StrangerPfx, "--tls-password", TlsSiloFixture.Password, .. tls.ClusterQuick]);

        CliAssert.OneLineError(result, CliAssert.ClusterUnreachable, "did not admit", "same certificate");
    }

    [Fact]
    public async Task Wrong_password_names_the_certificate_file()
    {
        var result = await EppoCli.RunAsync(["run", "list", "--tls-cert", tls.ClusterPfx, "--tls-password", "wrong", .. tls.Cluster]);

        CliAssert.OneLineError(result, CliAssert.UserError, tls.ClusterPfx, "password");
    }

    [Fact]
    public void Silo_refuses_a_missing_certificate_file_in_one_line()
    {
        var error = Assert.Throws<Eppo.EppoException>(() => EppoSiloHost.Build(new SiloSettings
        {
            MetricsUrl = null, TlsCertificate = "/no/such/cluster.pfx", GatewayPort = LoopbackPorts.Free(),
        }));
        Assert.Contains("/no/such/cluster.pfx", error.Message);
    }
}
