namespace Eppo.Core.Model;

/// <summary>
/// Llama 3's RoPE frequency scaling (Hugging Face rope_type "llama3"): wavelengths longer than
/// original/low_freq_factor are divided by factor, shorter than original/high_freq_factor kept, and the band between
/// blended smoothly.
/// </summary>
public sealed record RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions)
{
    public double Scale(double inverseFrequency)
    {
        var wavelength = 2 * Math.PI / inverseFrequency;
        var lowFreqWavelength = OriginalMaxPositions / LowFreqFactor;
        var highFreqWavelength = OriginalMaxPositions / HighFreqFactor;
        if (wavelength < highFreqWavelength) return inverseFrequency;
        if (wavelength > lowFreqWavelength) return inverseFrequency / Factor;
        var smooth = (OriginalMaxPositions / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return (1 - smooth) * inverseFrequency / Factor + smooth * inverseFrequency;
    }
}
