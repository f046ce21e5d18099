namespace Eppo.Core.Checkpoints;

/// <summary>
/// The safetensors dtype names this repo writes and reads, and their torch types:
/// F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL (little-endian, as the format prescribes).
/// </summary>
public static class SafetensorsDtype
{
    static readonly Dictionary<string, ScalarType> ByName = new()
    {
        ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16, ["F64"] = ScalarType.Float64,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    static readonly Dictionary<ScalarType, string> ByType = ByName.ToDictionary(kv => kv.Value, kv => kv.Key);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The safetensors name of a torch type, or null when the format here does not carry it.</summary>
    public static string? NameOf(ScalarType type) => ByType.GetValueOrDefault(type);

    /// <summary>The torch type of a safetensors name, or null for one this repo does not read (F8_E4M3, U16, …).</summary>
    public static ScalarType? TypeOf(string name) => ByName.TryGetValue(name, out var type) ? type : null;

    /// <summary>Bytes per element of a known name.</summary>
    public static int SizeOf(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a safetensors dtype"),
    };

    public static bool IsFloating(ScalarType type) => type is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64;
}
