using Eppo.Tests;
using Xunit;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>deploy/prometheus checked by Prometheus' own tool; without promtool these fail (it is a test dependency).</summary>
public class PromtoolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ScrapeConfigIsValidAndFindsTheRules()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("promtool", Timeout, "check", "config", RepoRoot.Path("deploy", "prometheus", "prometheus.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("1 rule files found", output);
    }

    [Fact]
    public async Task AlertRulesAreValid()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("promtool", Timeout, "check", "rules", RepoRoot.Path("deploy", "prometheus", "alerts.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("3 rules found", output);
    }

    [Fact]
    public async Task AlertRulesPassTheirUnitTests()
    {
        // alerts.test.yml: the hacking alert waits a minute and ignores finished runs, a failed run fires at once,
        // energy rising with the SFT reference (Observation 1) does not fire, rising away from it does.
        var (exitCode, output) = await ExternalTool.RunAsync("promtool", Timeout, "test", "rules", RepoRoot.Path("deploy", "prometheus", "alerts.test.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }
}
