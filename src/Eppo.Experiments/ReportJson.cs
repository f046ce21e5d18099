using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eppo.Experiments;

/// <summary>report.json's serializer: snake_case fields, method names kept as keys, NaN and ±∞ written as null.</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new NonFiniteAsNull() },
    };

    public static string Serialize(ReportDocument document) => JsonSerializer.Serialize(document, Options);

    public static ReportDocument Deserialize(string json) =>
        JsonSerializer.Deserialize<ReportDocument>(json, Options) ?? throw new EppoException("report.json is empty");

    /// <summary>JSON has no NaN: an undefined number (an AUROC without hacking samples, a spread of one seed) becomes null.</summary>
    sealed class NonFiniteAsNull : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
