using Eppo.Tests;

namespace Eppo.Console.Tests;

/// <summary>Bad input that needs no cluster: each one line on stderr, exit 2 (or 3 for no cluster), no stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("eppo-console-bad-");

    string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Unknown_flag_is_one_line_with_a_usage_hint()
    {
        var line = CliAssert.OneLineError(await EppoCli.RunAsync("run", "list", "--bogus"), CliAssert.UserError, "bogus");
        Assert.Contains("eppo run list --help", line);
    }

    [Fact]
    public async Task Unknown_command_is_one_line_with_a_usage_hint()
    {
        var line = CliAssert.OneLineError(await EppoCli.RunAsync("run", "stats"), CliAssert.UserError, "stats");
        Assert.Contains("eppo run --help", line);
        CliAssert.OneLineError(await EppoCli.RunAsync("launch"), CliAssert.UserError, "launch", "eppo --help");
    }

    [Fact]
    public async Task Reward_side_and_tuning_flags_are_checked_before_anything_runs()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("demo", "--methods", "ppo,erm-median"), CliAssert.UserError, "--methods", "'erm-median'");
        CliAssert.OneLineError(await EppoCli.RunAsync("bench", "pipeline", "--method", "eppo"), CliAssert.UserError, "--method", "ensemble benchmark");
        CliAssert.OneLineError(await EppoCli.RunAsync("bench", "pipeline", "--method", "erm-wco", "--compute-threads", "0"), CliAssert.UserError, "--compute-threads");
        CliAssert.OneLineError(await EppoCli.RunAsync("tune", "--eval-prompts", "0"), CliAssert.UserError, "--eval-prompts");
        CliAssert.OneLineError(await EppoCli.RunAsync("demo", "--variant", "gold-rush"), CliAssert.UserError, "--variant", "'gold-rush'", "planted-bias");
        CliAssert.OneLineError(await EppoCli.RunAsync("demo", "--set", "caution_bias"), CliAssert.UserError, "--set", "expected field=value");
        CliAssert.OneLineError(await EppoCli.RunAsync("demo", "--quick", "--picks", RepoRoot.Path("docs/results/tune-full/tune.json")), CliAssert.UserError,
            "--picks", "tune.json was tuned at full scale");
        CliAssert.OneLineError(await EppoCli.RunAsync("demo", "--first-seed", "0"), CliAssert.UserError, "--first-seed", "0 is not in 1..");
        CliAssert.OneLineError(await EppoCli.RunAsync("demo", "--set", "reward.caution_bias=-1000", "--out", Path.Combine(Path.GetTempPath(), "eppo-never-made")),
            CliAssert.UserError, "field 'reward.caution_bias'", "[-100, 100]");
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "eppo-never-made")));   // refused before anything was made
    }

    [Fact]
    public async Task Flag_value_of_the_wrong_type_is_one_line()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "list", "--gateway-port", "abc"), CliAssert.UserError, "abc");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "list", "--gateway-port", "70000"), CliAssert.UserError, "--gateway-port");
    }

    [Fact]
    public async Task Missing_run_id_argument_is_one_line()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "status"), CliAssert.UserError, "RUN_ID");
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("../etc")]
    [InlineData("run id")]
    [InlineData("x;rm -rf")]
    [InlineData("ünïcode")]
    public async Task Run_ids_with_odd_characters_are_refused_before_connecting(string id)
    {
        // No --gateway-port of a live cluster: the id must be refused before any connection attempt (exit 2, not 3).
        foreach (var command in new[] { "status", "pause", "resume", "stop", "watch" })
            CliAssert.OneLineError(await EppoCli.RunAsync("run", command, id), CliAssert.UserError, "run id");
    }

    [Fact]
    public async Task Overlong_run_id_is_refused()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "status", new string('a', 200)), CliAssert.UserError, "run id");
    }

    [Fact]
    public async Task Missing_config_flag_is_one_line()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start"), CliAssert.UserError, "--config");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config"), CliAssert.UserError, "--config");
    }

    [Fact]
    public async Task Missing_config_file_names_the_file()
    {
        var path = Path.Combine(_dir.FullName, "nope.json");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", path), CliAssert.UserError, path, "not found");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", _dir.FullName), CliAssert.UserError, "directory");
    }

    [Fact]
    public async Task Malformed_config_names_the_file_and_line()
    {
        var path = Write("broken.json", "{\n  \"name\": \"x\",\n  \"iterations\": 4,,\n}\n");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", path), CliAssert.UserError, path, "line 3", "not valid JSON");
    }

    [Fact]
    public async Task Config_with_a_bad_field_names_the_file_and_field()
    {
        var unknown = Write("unknown.json", "{ \"name\": \"x\", \"iterashuns\": 4 }");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", unknown), CliAssert.UserError, unknown, "iterashuns");

        var wrongType = Write("type.json", "{ \"name\": \"x\", \"iterations\": \"many\" }");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", wrongType), CliAssert.UserError, wrongType, "iterations");

        var invalid = Write("zero.json", "{ \"name\": \"x\", \"iterations\": 0 }");
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", invalid), CliAssert.UserError, invalid, "'iterations'");
    }

    /// <summary>The mutations of quick.json a user tried: accepted once, then retried forever on an overflow. Refused at start now.</summary>
    [Theory]
    [InlineData("actor_lr", "1e300")]
    [InlineData("critic_lr", "1e300")]
    [InlineData("sft.lr", "1e300")]
    [InlineData("reward.lr", "1e300")]
    [InlineData("eta", "1e300")]
    public async Task Quick_spec_with_a_number_that_cannot_work_is_refused_at_start(string field, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepoRoot.Path("deploy/examples/quick.json")), null,
            new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        var parts = field.Split('.');
        var section = parts.Length == 2 ? node[parts[0]]!.AsObject() : node;
        section[parts[^1]] = System.Text.Json.Nodes.JsonNode.Parse(value);
        var file = Write($"quick-{field}.json", node.ToJsonString());
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", file), CliAssert.UserError, file, $"'{field}'", "must be a number in");
    }

    [Fact]
    public async Task Bad_name_override_is_one_line()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "start", "--config", RepoRoot.Path("deploy/examples/tiny.json"), "--name", "no spaces"),
            CliAssert.UserError, "--name", "'name'");
    }

    [Fact]
    public async Task Unreachable_cluster_says_how_to_start_one()
    {
        var port = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var args in new[] { new[] { "run", "list" }, ["run", "status", "some-run"], ["run", "start", "--config", RepoRoot.Path("deploy/examples/tiny.json")] })
            CliAssert.OneLineError(await EppoCli.RunAsync([.. args, "--gateway-port", port]), CliAssert.ClusterUnreachable, port, "./eppo silo");
    }

    [Fact]
    public async Task Tls_password_without_a_certificate_is_one_line()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("run", "list", "--tls-password", "x"), CliAssert.UserError, "--tls-cert");
    }

    [Theory]
    [InlineData("cuda:0", "no CUDA device", "TorchBackend=cuda")]   // the CPU build (what CI has) sees no GPU
    [InlineData("tpu", "not a device", "cpu, cuda or cuda:N")]
    public async Task A_silo_device_it_cannot_use_is_one_line_before_it_starts(string device, string mention, string hint)
    {
        var port = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        CliAssert.OneLineError(await EppoCli.RunAsync("silo", "--device", device, "--silo-port", port, "--gateway-port", LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--metrics-url", "none", "--data", _dir.FullName), CliAssert.UserError, "--device", mention, hint);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
