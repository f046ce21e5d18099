namespace Eppo.Core.Ppo;

/// <summary>Everything a <see cref="RunningMoments"/> needs to resume exactly: count, mean, M2 = Σ(x − mean)².</summary>
public sealed record RunningMomentsState(double Count, double Mean, double M2);

/// <summary>
/// Running mean / variance of a stream of numbers (e.g. RM scores), merged batch by batch with Chan et al.'s
/// parallel formula (Welford for batches), in double precision.
/// </summary>
public sealed class RunningMoments
{
    double count, mean, m2;

    public RunningMoments() { }

    public RunningMoments(RunningMomentsState state)
    {
        if (state.Count < 0 || state.M2 < 0 || !double.IsFinite(state.Mean) || !double.IsFinite(state.M2))
            throw new EppoException($"invalid running-moments state {state}");
        (count, mean, m2) = (state.Count, state.Mean, state.M2);
    }

    public double Count => count;
    public double Mean => mean;
    /// <summary>Population variance M2/n (0 before any data).</summary>
    public double Var => count > 0 ? m2 / count : 0;
    /// <summary>Sample standard deviation √(M2/(n−1)); 0 while fewer than two values were seen.</summary>
    public double Std => count > 1 ? Math.Sqrt(m2 / (count - 1)) : 0;
    public RunningMomentsState State => new(count, mean, m2);

    /// <summary>Merges one batch; non-finite values throw.</summary>
    public void Update(ReadOnlySpan<float> batch)
    {
        if (batch.IsEmpty) return;
        Finite.Require(batch, "value", "running-moments");
        double batchMean = 0;
        foreach (var x in batch) batchMean += x;
        batchMean /= batch.Length;
        double batchM2 = 0;
        foreach (var x in batch) batchM2 += (x - batchMean) * (x - batchMean);

        double batchCount = batch.Length, total = count + batchCount;
        var delta = batchMean - mean;
        mean += delta * batchCount / total;
        m2 += batchM2 + delta * delta * count * batchCount / total;
        count = total;
    }

    public void Update(float[] batch) => Update(batch.AsSpan());
}
