namespace Eppo.Core.Evaluation;

/// <summary>
/// Gao et al.'s functional form for RL against a proxy (Scaling Laws for Reward Model Overoptimization, 2022): the gold
/// gain over the initial policy at distance d = √KL is d(α − β ln d). Fitted by least squares (linear in α and β, so
/// exact). With β &gt; 0 the gain peaks at d* = e^(α/β − 1), where it is β·d*; with β ≤ 0 it never turns (no peak).
/// </summary>
public sealed record GoldScalingFit(double Alpha, double Beta, int Points)
{
    /// <summary>d* = e^(α/β − 1), the √KL of the fitted peak; null when the fit does not turn down (β ≤ 0).</summary>
    public double? PeakSqrtKl => Beta > 0 && double.IsFinite(Math.Exp(Alpha / Beta - 1)) ? Math.Exp(Alpha / Beta - 1) : null;

    /// <summary>The fitted gain at d*: α d* − β d* ln d* = β d*.</summary>
    public double? PeakGain => PeakSqrtKl is { } d ? Beta * d : null;

    public double Gain(double sqrtKl) => sqrtKl <= 0 ? 0 : sqrtKl * (Alpha - Beta * Math.Log(sqrtKl));

    /// <summary>
    /// The fit to (√KL, gold − initial gold) points; points at d ≤ 0 carry no information (the form is 0 there) and are
    /// left out. Null with fewer than two usable points or when they cannot tell α from β (collinear).
    /// </summary>
    public static GoldScalingFit? Fit(IEnumerable<(double SqrtKl, double Gain)> points)
    {
        // Regressors x1 = d, x2 = −d ln d; normal equations of the 2×2 least-squares problem.
        double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
        var n = 0;
        foreach (var (d, gain) in points)
        {
            if (!(d > 0) || !double.IsFinite(d) || !double.IsFinite(gain)) continue;
            double x1 = d, x2 = -d * Math.Log(d);
            s11 += x1 * x1; s12 += x1 * x2; s22 += x2 * x2; t1 += x1 * gain; t2 += x2 * gain;
            n++;
        }
        var det = s11 * s22 - s12 * s12;
        if (n < 2 || Math.Abs(det) <= 1e-12 * Math.Max(1, s11 * s22)) return null;
        return new GoldScalingFit((t1 * s22 - t2 * s12) / det, (s11 * t2 - s12 * t1) / det, n);
    }
}
