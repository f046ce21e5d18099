using System.Text;
using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>The rows of a JSON-lines file, plain or gzipped: one JSON document per non-blank line, located "FILE:LINE".</summary>
internal static class JsonLines
{
    public static IEnumerable<(string Where, JsonDocument Row)> Read(string path, bool gzipped)
    {
        using var reader = new StreamReader(gzipped ? CheckedGzipStream.Open(path) : File.OpenRead(path), Encoding.UTF8);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var where = $"{path}:{lineNumber}";
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new EppoException($"{where}: invalid JSON ({e.Message})");
            }
            yield return (where, document);
        }
    }
}
