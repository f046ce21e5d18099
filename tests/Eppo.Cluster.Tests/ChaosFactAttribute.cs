namespace Eppo.Cluster.Tests;

/// <summary>A test that runs only when EPPO_CHAOS_KILLS is set: tests/run-all sets 2 (so CI runs it), tests/chaos/ten-kills.sh 10.</summary>
public sealed class ChaosFactAttribute : FactAttribute
{
    public const string Variable = "EPPO_CHAOS_KILLS";

    public ChaosFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"chaos run: set {Variable} (tests/chaos/ten-kills.sh)";
    }
}
