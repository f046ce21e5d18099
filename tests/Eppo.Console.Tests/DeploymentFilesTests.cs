using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Eppo.Cli;
using Eppo.Cli.Commands;
using Eppo.Silo;
using Eppo.Tests;
using Spectre.Console.Cli;

namespace Eppo.Console.Tests;

/// <summary>
/// What can be checked of deploy/docker, deploy/compose and deploy/k8s without a Docker engine or a cluster: every
/// file passes its schema (deploy/validate.mjs: Kubernetes OpenAPI schemas, the Compose Specification), a broken
/// one is named, and every silo flag, environment variable and port the files use is one the silo really has.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    static readonly string Deploy = RepoRoot.Path("deploy");

    static (int Code, string Output) Validate(string? dir = null)
    {
        using var node = Process.Start(new ProcessStartInfo("node", dir is null ? [Path.Combine(Deploy, "validate.mjs")] : [Path.Combine(Deploy, "validate.mjs"), dir])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot.Path(),
        })!;
        var output = node.StandardOutput.ReadToEnd() + node.StandardError.ReadToEnd();
        node.WaitForExit();
        return (node.ExitCode, output);
    }

    [Fact]
    public void The_manifests_and_the_compose_file_pass_their_schemas()
    {
        var (code, output) = Validate();
        Assert.True(code == 0, output);
        foreach (var file in new[] { "k8s/namespace.yaml: 1 object", "k8s/rbac.yaml: 3 object", "k8s/silo.yaml: 2 object", "k8s/silo-gpu.yaml: 1 object", "k8s/silo-learner.yaml: 1 object", "compose/compose.yaml: 7 service" })
            Assert.Contains(file, output);
    }

    [Fact]
    public void A_broken_manifest_or_compose_file_is_named()
    {
        var copy = Directory.CreateTempSubdirectory("eppo-deploy-").FullName;
        try
        {
            foreach (var sub in new[] { "k8s", "compose" })
            {
                Directory.CreateDirectory(Path.Combine(copy, sub));
                foreach (var file in Directory.GetFiles(Path.Combine(Deploy, sub))) File.Copy(file, Path.Combine(copy, sub, Path.GetFileName(file)));
            }
            var silo = Path.Combine(copy, "k8s", "silo.yaml");
            File.WriteAllText(silo, File.ReadAllText(silo).Replace("containerPort: 11111", "containerPort: eleven"));
            var compose = Path.Combine(copy, "compose", "compose.yaml");
            File.WriteAllText(compose, File.ReadAllText(compose).Replace("    start_period: 60s", "    start_period: 60s\n    retries_typo: 3"));
            var (code, output) = Validate(copy);
            Assert.Equal(1, code);
            Assert.Matches(@"problem: .*silo\.yaml: Deployment eppo-silo: .*containerPort must be integer", output);
            Assert.Matches(@"problem: .*compose\.yaml: /services/silo-1/healthcheck must NOT have additional properties", output);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>The long option names of a settings class and its bases ("--metrics-url", …).</summary>
    static HashSet<string> Options(Type settings) => settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
        .Where(a => a is not null)
        .SelectMany(a => a!.LongNames.Select(n => "--" + n))
        .ToHashSet();

    [Fact]
    public void Every_silo_flag_variable_and_port_in_the_files_is_the_silos_own()
    {
        var flags = Options(typeof(SiloCommandSettings));
        var files = new[] { "docker/Dockerfile", "compose/compose.yaml", "k8s/silo.yaml", "k8s/silo-gpu.yaml", "k8s/silo-learner.yaml" }
            .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Deploy, f)));
        // Every silo command line in the files: a flow list starting with "silo" (Dockerfile CMD, compose command, k8s args).
        var commandLines = files.Values.SelectMany(text => SiloCommandLine().Matches(text))
            .Select(m => System.Text.Json.JsonSerializer.Deserialize<string[]>(m.Value)!).ToList();
        Assert.Equal(1 + 3 + 1 + 1 + 1, commandLines.Count);
        foreach (var line in commandLines)
            foreach (var flag in line.Where(token => token.StartsWith("--", StringComparison.Ordinal)))
                Assert.True(flags.Contains(flag), $"{flag} is used in deploy/ but `eppo silo` has no such option");
        foreach (var line in commandLines.Where(l => l.Contains("--stages")))
            Eppo.Grains.Hosting.ModelStages.Parse(line[Array.IndexOf(line, "--stages") + 1]);
        Assert.Contains(commandLines, l => l.Contains("--stages") && l[Array.IndexOf(l, "--stages") + 1] == "learner");

        Assert.Contains(StorageConnection.EnvironmentVariable, files["compose/compose.yaml"]);
        foreach (var manifest in new[] { "k8s/silo.yaml", "k8s/silo-gpu.yaml", "k8s/silo-learner.yaml" })
        {
            foreach (var variable in new[] { StorageConnection.EnvironmentVariable, KubernetesProfile.PodName, KubernetesProfile.PodNamespace, KubernetesProfile.PodIp,
                                             KubernetesProfile.ServiceId, KubernetesProfile.ClusterId })
                Assert.Contains($"name: {variable}", files[manifest]);
            Assert.Contains($"\"--cluster\", \"{KubernetesProfile.Name}\"", files[manifest]);
            Assert.DoesNotContain("AccountKey=", files[manifest]);            // the connection string only ever comes from the Secret
            Assert.Contains("secretKeyRef", files[manifest]);
        }
        var defaults = new SiloSettings();
        foreach (var port in new[] { defaults.SiloPort, defaults.GatewayPort })
        {
            Assert.Contains($"EXPOSE {defaults.SiloPort} {defaults.GatewayPort} 8080", files["docker/Dockerfile"]);
            Assert.Contains($"containerPort: {port}", files["k8s/silo.yaml"]);
        }
        Assert.Contains("http://0.0.0.0:8080", files["k8s/silo.yaml"]);
    }

    [GeneratedRegex(@"\[""silo""(, ""[^""]*"")*\]")]
    private static partial Regex SiloCommandLine();
}
