namespace Eppo.Core.Data;

/// <summary>A preference file read by its format name (text.format of a run spec).</summary>
public static class PreferenceDatasets
{
    public static IReadOnlyList<PreferenceRecord> Load(string path, string format) => format switch
    {
        "hh" => HhPreferencePairs.Load(path),
        "alpacafarm" => AlpacaFarmPreferences.Load(path),
        "tldr" => TldrComparisons.Load(path),
        _ => throw new EppoException($"unknown preference format '{format}' (expected hh, alpacafarm or tldr)"),
    };
}
