using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>
/// <c>learners: 2</c> in a process cluster: SIGKILL of a learner replica's silo mid-iteration. The surviving replica
/// redoes the iteration with a replica that takes its state on another silo (or, when the survivor cannot be found, the
/// run goes back to its checkpoint), and the run ends with the policy of an uninterrupted two-replica run
/// within 1e-4 (mostly byte-identical: the replica order, hence every sum, is the same).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LearnerReplicaFailureTests(ClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Run_survives_SIGKILL_of_a_learner_replica_silo()
    {
        var spec = fixture.Spec with { Learners = 2, Iterations = 12 };
        await fixture.ReferenceAsync(spec);
        await using var cluster = new ProcessCluster(fixture, "kill-replica");
        await cluster.StartSilosAsync(3);
        var runId = await cluster.StartRunAsync(spec);
        var learning = await cluster.WaitAsync(runId, s => s.Iteration >= 4 && s.Stage == "learn", Long);
        Assert.Equal(2, learning.LearnerHosts.Count);
        Assert.NotEqual(learning.LearnerHosts[0], learning.LearnerHosts[1]);

        // The replica whose silo does not also hold the run grain: its death is the learners' own business.
        var runHost = await cluster.HostOfAsync(cluster.Client.GetGrain<IRunGrain>(runId));
        var replicas = new[] { runId, $"{runId}/1" };
        SiloProcess? victim = null;
        foreach (var key in replicas.Reverse())
        {
            var host = await cluster.HostOfAsync(cluster.Client.GetGrain<ILearnerGrain>(key));
            if (host is not null && host != runHost) { victim = host; break; }
        }
        Assert.NotNull(victim);
        victim.Kill();
        var killed = DateTime.UtcNow;
        var lowest = int.MaxValue;
        var end = await cluster.WaitAsync(runId, s =>
        {
            lowest = Math.Min(lowest, s.Iteration);
            return s.State is RunState.Completed or RunState.Failed or RunState.Stopped;
        }, Long);
        output.WriteLine($"learner replica's silo {victim} SIGKILLed at iteration {learning.Iteration}; the run ended {(DateTime.UtcNow - killed).TotalSeconds:F1} s later, lowest iteration the watch saw after it {lowest} (below the kill's: back to the checkpoint)");
        // Mostly the survivor keeps the state and the run never goes back to its checkpoint. But Orleans' default grain
        // directory loses the entries the dead silo owned, live replicas elsewhere included: the run grain then finds
        // replicas with nothing and falls back to the checkpoint. Either way the result must be the uninterrupted run's.
        output.WriteLine($"learner replicas at the end: {string.Join(", ", end.LearnerHosts)}");
        // Within the issue's 1e-4, not bit for bit: the survivors redo an iteration with the replicas there are, and
        // when the dead silo is not yet declared dead that can be one replica, whose whole-batch sums round differently.
        var identical = await fixture.AssertCloseToReferenceAsync(end, spec, tolerance: 1e-4);
        output.WriteLine(identical ? "final checkpoint byte-identical to the uninterrupted run's" : "final policy within 1e-4 of the uninterrupted run's, not byte-identical");
    }
}
