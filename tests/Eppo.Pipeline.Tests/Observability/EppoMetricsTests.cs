using System.Diagnostics.Metrics;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Eppo.Pipeline.Tests.Observability;

public class EppoMetricsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("run\nwith a newline")]
    public void RunIdsThatAreNotShortIdentifiersAreRefused(string runId)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new EppoMetrics(services.GetRequiredService<IMeterFactory>());
        var error = Assert.Throws<EppoException>(() => metrics.RecordRunState(runId, "eppo", RunState.Running));
        Assert.Contains("run id", error.Message);
    }

    [Fact]
    public void PromptSizedLabelsAreRefused()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new EppoMetrics(services.GetRequiredService<IMeterFactory>());
        var prompt = new string('x', 300);
        Assert.Throws<EppoException>(() => metrics.RecordIteration("r1", prompt, new IterationMetrics(), [0.1f]));
    }
}
