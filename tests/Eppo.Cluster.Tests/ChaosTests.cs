using System.Globalization;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>
/// EPPO_CHAOS_KILLS SIGKILLs of random silos at random moments of one long run (a replacement silo starts after
/// each), then the final checkpoint is compared with an uninterrupted run's. Prints the time from each death to the
/// run's next completed iteration. Driven by tests/chaos/ten-kills.sh.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChaosTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [ChaosFact]
    public async Task Random_SIGKILLs_leave_the_final_checkpoint_unchanged()
    {
        var kills = int.Parse(Environment.GetEnvironmentVariable(ChaosFactAttribute.Variable)!, CultureInfo.InvariantCulture);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("EPPO_CHAOS_SEED"), out var s) ? s : Environment.TickCount;
        var random = new Random(seed);
        // Long enough that every kill lands while the run is still going: a kill, its recovery and the replacement silo's
        // start take ~20 iterations here (up to ~40 with the longest delay), and the run fails loudly if it ends first.
        var spec = (fixture.Spec with { Name = "chaos", Iterations = 40 + 30 * kills }).Validate("chaos spec");
        output.WriteLine($"chaos: {kills} kills, seed {seed}, {spec.Iterations} iterations, checkpoint every {spec.CheckpointInterval}");

        var referenceClock = System.Diagnostics.Stopwatch.StartNew();
        await fixture.ReferenceAsync(spec);
        output.WriteLine($"uninterrupted reference run: {referenceClock.Elapsed.TotalSeconds:F0} s (incl. starting its silos)");

        await using var cluster = new ProcessCluster(fixture, "chaos");
        await cluster.StartSilosAsync(3);
        var runId = await cluster.StartRunAsync(spec);
        await cluster.WaitAsync(runId, st => st.Iteration >= 2, TimeSpan.FromSeconds(300));
        var recoveries = new List<double>();
        for (var k = 1; k <= kills; k++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 4000)));
            var alive = cluster.Silos.Where(silo => silo.Alive).ToList();
            var victim = alive[random.Next(alive.Count)];
            var before = await cluster.WaitAsync(runId, _ => true, TimeSpan.FromSeconds(60));
            if (before.State == RunState.Completed) Assert.Fail($"the run completed before kill {k} of {kills}: the spec is too short for this many kills");
            victim.Kill();
            var killedAt = DateTime.UtcNow;
            var replacement = cluster.StartSiloAsync();
            var recovery = await cluster.TimeToMoveAgainAsync(runId, killedAt, TimeSpan.FromSeconds(120));
            recoveries.Add(recovery.TotalSeconds);
            output.WriteLine($"kill {k}: {victim} at iteration {before.Iteration} (stage '{before.Stage}'): moving again after {recovery.TotalSeconds:F1} s");
            await replacement;
        }

        var status = await cluster.WaitForEndAsync(runId, TimeSpan.FromSeconds(600));
        await fixture.AssertMatchesReferenceAsync(status, spec);
        var sorted = recoveries.Order().ToList();
        output.WriteLine($"final checkpoint identical to the uninterrupted run's; recovery after a SIGKILL: median {sorted[sorted.Count / 2]:F1} s, max {sorted[^1]:F1} s, min {sorted[0]:F1} s");
    }
}
