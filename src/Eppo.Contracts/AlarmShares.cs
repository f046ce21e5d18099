namespace Eppo.Contracts;

/// <summary>
/// An iteration's hacking-alarm share at each k of the alarm's grid (<see cref="Grid"/>): the share of responses whose
/// ΔE_RL departs from ΔE_SFT by more than k standard deviations. Recorded so alarm settings can be compared afterwards.
/// A record of numbers, so metrics compare by value.
/// </summary>
public sealed record AlarmShares(double K1, double K1Point5, double K2, double K3, double K4)
{
    public static readonly IReadOnlyList<double> Grid = [1.0, 1.5, 2.0, 3.0, 4.0];

    public static AlarmShares From(Func<double, double> shareAt) => new(shareAt(1.0), shareAt(1.5), shareAt(2.0), shareAt(3.0), shareAt(4.0));

    public double At(double k) => k switch
    {
        1.0 => K1,
        1.5 => K1Point5,
        2.0 => K2,
        3.0 => K3,
        4.0 => K4,
        _ => throw new EppoException($"alarm: k = {k} is not on the recorded grid ({string.Join(", ", Grid)})"),
    };
}
