namespace Eppo.Core.Ppo;

/// <summary>Clips sequence rewards to [−bound, bound].</summary>
public static class RewardClip
{
    public static float[] Apply(float[] rewards, double bound)
    {
        RequirePositive(bound);
        return rewards.Select(r => (float)Math.Clamp(r, -bound, bound)).ToArray();
    }

    public static Tensor Apply(Tensor rewards, double bound)
    {
        RequirePositive(bound);
        return rewards.Clamp(-bound, bound);
    }

    static void RequirePositive(double bound)
    {
        if (!(bound > 0)) throw new EppoException($"reward clip bound must be > 0, got {bound}");
    }
}
