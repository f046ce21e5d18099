namespace Eppo.Core.Evaluation;

/// <summary>Small descriptive statistics; NaN where a statistic is undefined (empty input, one value for a spread).</summary>
public static class Stats
{
    public static double Mean(IEnumerable<double> values)
    {
        double sum = 0;
        var n = 0;
        foreach (var v in values) { sum += v; n++; }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Sample standard deviation (n − 1); NaN for fewer than two values.</summary>
    public static double Std(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        var mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>Population standard deviation (n), accumulated in double; NaN for no values.</summary>
    public static double PopulationStd(ReadOnlySpan<float> values)
    {
        if (values.Length == 0) return double.NaN;
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= values.Length;
        double squares = 0;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / values.Length);
    }

    /// <summary>Linear-interpolation quantile (numpy's default); q in [0, 1].</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        if (!(q is >= 0 and <= 1)) throw new EppoException($"quantile must be in [0, 1], got {q}");
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>Pearson correlation; NaN with fewer than two points or a constant variable.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new EppoException($"correlation needs paired values: {x.Count} and {y.Count}");
        if (x.Count < 2) return double.NaN;
        var (mx, my) = (Mean(x), Mean(y));
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}
