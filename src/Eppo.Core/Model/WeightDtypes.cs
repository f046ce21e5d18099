namespace Eppo.Core.Model;

/// <summary>The run spec's model.dtype spellings and the libtorch types they name.</summary>
public static class WeightDtypes
{
    /// <summary>The dtype a run keeps its frozen base in.</summary>
    public static ScalarType Of(Contracts.RunSpec spec) => Parse(spec.Model.WeightDtype);

    public static ScalarType Parse(string name) => name switch
    {
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        _ => throw new EppoException($"model.dtype: '{name}' is not a dtype (float32, bfloat16, float16)"),
    };

    public static string NameOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => dtype.ToString(),
    };
}
