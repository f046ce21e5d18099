using Eppo.Core;
using Orleans.Configuration;

namespace Eppo.Silo;

/// <summary>
/// Presets for how fast a silo that stopped answering is declared dead. "production" keeps Orleans' defaults (a
/// SIGKILLed silo is evicted after ~15-30 s, tolerant of GC pauses and slow networks); "fast" evicts in ~1-2 s and
/// suits tests and a quiet loopback cluster. Configuration section Eppo:Membership overrides single values. The preset
/// also sets how soon an active run that nobody calls is re-activated on a live silo (<see cref="RunReminderPeriod"/>).
/// </summary>
public static class FailureDetection
{
    public const string ConfigSection = "Eppo:Membership";

    /// <summary>"production": Orleans' shortest reminder period, a minute; "fast": 10 s (Orleans calls that high-frequency).</summary>
    public static TimeSpan RunReminderPeriod(string preset) => preset == "fast" ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(1);

    public static void Apply(string preset, ClusterMembershipOptions options)
    {
        switch (preset)
        {
            case "production":
                break;
            case "fast":
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(3);
                options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(20);
                break;
            default:
                throw new EppoException($"--failure-detection: unknown preset '{preset}' (expected production or fast)");
        }
    }
}
