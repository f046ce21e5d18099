using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Serialization;

namespace Eppo.Core.Data;

/// <summary>
/// The rows of a Parquet file as JSON objects, located "FILE: row INDEX" (counted from 0, as a datasets or pandas
/// index), read one row group at a time by Parquet.Net's untyped deserializer. A struct column becomes an object and a
/// list an array, so summarize_from_feedback's `info` struct and `summaries` list of structs read as in its .jsonl
/// form; text is a string, numbers are numbers, dates are ISO 8601 strings.
/// </summary>
internal static class ParquetRows
{
    static ReadOnlySpan<byte> Magic => "PAR1"u8;

    // older writers keep text as BYTE_ARRAY without the string annotation
    static ParquetOptions Options() => new() { TreatByteArrayAsString = true };

    public static IEnumerable<(string Where, JsonDocument Row)> Read(string path)
    {
        CheckFraming(path);
        var groups = Run(path, async stream =>
        {
            await using var reader = await ParquetReader.CreateAsync(stream, Options(), leaveStreamOpen: true);
            return reader.RowGroupCount;
        });
        var index = 0L;
        for (var group = 0; group < groups; group++)
        {
            var current = group;
            var rows = Run(path, async stream => (await ParquetSerializer.DeserializeUntypedAsync(stream, Options(), current)).Data);
            foreach (var row in rows)
                yield return ($"{path}: row {index++}", ToJson(row));
        }
    }

    /// <summary>A Parquet file starts and ends with "PAR1"; without the end, the footer that describes the columns is gone.</summary>
    static void CheckFraming(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> bytes = stackalloc byte[4];
        if (file.ReadAtLeast(bytes, 4, throwOnEndOfStream: false) < 4 || !bytes.SequenceEqual(Magic))
            throw new EppoException($"{path}: not a Parquet file (it does not start with PAR1; JSON lines are named .jsonl or .jsonl.gz)");
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(bytes);
        if (file.Length < 12 || !bytes.SequenceEqual(Magic))
            throw new EppoException($"{path}: truncated Parquet file (it does not end with PAR1, so its footer is missing; download it again)");
    }

    static T Run<T>(string path, Func<Stream, Task<T>> read)
    {
        try
        {
            // Parquet.Net is asynchronous: it runs on the thread pool, so blocking here cannot deadlock a caller that
            // holds a single-threaded scheduler (an Orleans activation).
            return Task.Run(async () =>
            {
                await using var stream = File.OpenRead(path);
                return await read(stream);
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not (EppoException or OutOfMemoryException))
        {
            // a damaged file fails wherever the damage is met, with whatever exception it provokes there
            throw new EppoException($"{path}: unreadable Parquet file ({e.Message})");
        }
    }

    static JsonDocument ToJson(IDictionary row)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, row);
        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string text: writer.WriteStringValue(text); break;
            case ReadOnlyMemory<char> text: writer.WriteStringValue(text.Span); break;
            case byte[] bytes: writer.WriteStringValue(Encoding.UTF8.GetString(bytes)); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case sbyte or byte or short or ushort or int or uint or long: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong number: writer.WriteNumberValue(number); break;
            case decimal number: writer.WriteNumberValue(number); break;
            case double number: WriteReal(writer, number); break;
            case float number: WriteReal(writer, number); break;
            case Half number: WriteReal(writer, (double)number); break;
            case DateTime time: writer.WriteStringValue(time); break;
            case DateTimeOffset time: writer.WriteStringValue(time); break;
            case IDictionary fields:  // a struct (or a map)
                writer.WriteStartObject();
                foreach (DictionaryEntry field in fields)
                {
                    writer.WritePropertyName(Convert.ToString(field.Key, CultureInfo.InvariantCulture)!);
                    Write(writer, field.Value);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    static void WriteReal(Utf8JsonWriter writer, double number)
    {
        if (double.IsFinite(number)) writer.WriteNumberValue(number);
        else writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));  // JSON has no NaN or infinity
    }
}
