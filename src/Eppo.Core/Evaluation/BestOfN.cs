namespace Eppo.Core.Evaluation;

/// <summary>
/// Best-of-n sampling against a proxy (Gao et al. 2022): of n samples of a policy, keep the one the proxy scores
/// highest. Its KL from the policy is ln n − (n − 1)/n. The expected gold of the kept sample is estimated from N ≥ n
/// samples per prompt without bias: with the samples ranked by proxy (1 = lowest), the i-th is the best of a random
/// n-subset with probability C(i − 1, n − 1) / C(N, n).
/// </summary>
public static class BestOfN
{
    /// <summary>The n of the curve: powers of two up to <paramref name="max"/>.</summary>
    public static IReadOnlyList<int> Sizes(int max) =>
        Enumerable.Range(0, 31).Select(k => 1 << k).TakeWhile(n => n <= max).ToArray();

    public static double Kl(int n) => n < 1 ? throw new ArgumentOutOfRangeException(nameof(n)) : Math.Log(n) - (n - 1.0) / n;

    /// <summary>
    /// The expected (gold, proxy) of best-of-<paramref name="n"/> on one prompt's samples. Proxy ties are ordered by
    /// gold ascending: a tie is then counted against the policy (a pessimistic, deterministic choice).
    /// </summary>
    public static (double Gold, double Proxy) Expected(IReadOnlyList<(double Proxy, double Gold)> samples, int n)
    {
        var count = samples.Count;
        if (n < 1 || n > count) throw new ArgumentOutOfRangeException(nameof(n), $"best-of-{n} needs 1..{count} samples");
        var ranked = samples.OrderBy(s => s.Proxy).ThenBy(s => s.Gold).ToArray();
        double gold = 0, proxy = 0;
        // weight_i = C(i−1, n−1)/C(N, n), built up in logs to stay finite for large N.
        var logTotal = LogChoose(count, n);
        for (var i = n; i <= count; i++)
        {
            var weight = Math.Exp(LogChoose(i - 1, n - 1) - logTotal);
            gold += weight * ranked[i - 1].Gold;
            proxy += weight * ranked[i - 1].Proxy;
        }
        return (gold, proxy);
    }

    /// <summary>The curve over prompts: mean expected gold and proxy of best-of-n for n = 1, 2, 4, … up to the samples per prompt.</summary>
    public static IReadOnlyList<BestOfNPoint> Curve(IReadOnlyList<IReadOnlyList<(double Proxy, double Gold)>> perPrompt)
    {
        if (perPrompt.Count == 0) return [];
        var samples = perPrompt.Min(p => p.Count);
        return Sizes(samples).Select(n =>
        {
            var expected = perPrompt.Select(p => Expected(p, n)).ToArray();
            return new BestOfNPoint(n, Kl(n), Math.Sqrt(Kl(n)), expected.Average(e => e.Gold), expected.Average(e => e.Proxy));
        }).ToArray();
    }

    static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (var j = 1; j <= k; j++) sum += Math.Log(n - k + j) - Math.Log(j);
        return sum;
    }
}

/// <summary>Best-of-n of a policy on the proxy: its KL (ln n − (n − 1)/n) and the expected gold and proxy of the kept sample, mean over prompts.</summary>
public sealed record BestOfNPoint(int N, double Kl, double SqrtKl, double Gold, double Proxy);
