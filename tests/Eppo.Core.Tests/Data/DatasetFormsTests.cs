using System.IO.Compression;
using System.Text.Json.Nodes;
using Eppo.Core.Data;
using Eppo.Core.Tasks;
using Eppo.Tests;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Eppo.Core.Tests.Data;

/// <summary>
/// Every loader reads .jsonl, .jsonl.gz and .parquet alike. The .parquet fixtures are written by DuckDB (a writer
/// independent of the Parquet.Net the loaders read with) in the column layouts the Hugging Face hub publishes
/// (Fixtures/Datasets/make_fixtures.mjs); others are written here with Parquet.Net. A bad container is one line.
/// </summary>
public sealed class DatasetFormsTests : IDisposable
{
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Datasets");
    readonly string dir = Directory.CreateTempSubdirectory("eppo-dataset-forms-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Fixture(string name) => Path.Combine(Fixtures, name);

    [Theory]
    [InlineData("hh", 3)]
    [InlineData("alpacafarm", 3)]
    [InlineData("tldr", 2)]
    public void HubLayoutParquetLoadsAsItsJsonLines(string format, int pairs)
    {
        var fromJsonl = PreferenceDatasets.Load(Fixture($"{format}.jsonl"), format);
        Assert.Equal(pairs, fromJsonl.Count);
        Assert.Equal(fromJsonl, PreferenceDatasets.Load(Fixture($"{format}.parquet"), format));
        // row by row, every field: structs, lists of structs, int32 and int64 (a null field counts as absent)
        Assert.Equal(CanonicalRows(Fixture($"{format}.jsonl")), CanonicalRows(Fixture($"{format}.parquet")));
    }

    [Fact]
    public void HubLayoutParquetRowsBecomeTheExpectedPairs()
    {
        var hh = PreferenceDatasets.Load(Fixture("hh.parquet"), "hh");
        Assert.Equal("Merci — or « merci beaucoup » 🙂", hh[1].Chosen);
        Assert.Equal("", hh[2].Chosen);  // HH has a few empty responses
        Assert.Equal(new PreferenceRecord("Translate to Spanish.\n\nhello", "hola", "adiós"), PreferenceDatasets.Load(Fixture("alpacafarm.parquet"), "alpacafarm")[1]);
        Assert.Equal(new PreferenceRecord("SUBREDDIT: r/pets\nTITLE: Help\nPOST: My cat ate my homework. Twice.\nTL;DR:",
            "My cat keeps eating my homework; how do I stop it?", "cat ate it"), PreferenceDatasets.Load(Fixture("tldr.parquet"), "tldr")[1]);
    }

    [Theory]
    [InlineData("hh")]
    [InlineData("alpacafarm")]
    [InlineData("tldr")]
    public void GzippedJsonLinesLoadAsPlain(string format)
    {
        var jsonl = Fixture($"{format}.jsonl");
        Assert.Equal(PreferenceDatasets.Load(jsonl, format), PreferenceDatasets.Load(Gzip(jsonl), format));
        if (format == "hh")  // gzip's own output, not GZipStream's
            Assert.Equal(PreferenceDatasets.Load(jsonl, format), PreferenceDatasets.Load(Fixture("hh.jsonl.gz"), format));
    }

    [Fact]
    public async Task SftRowsAndPromptsLoadFromEveryForm()
    {
        var sft = WriteLines("sft.jsonl", """{"prompt": "q1", "response": "a1"}""", "", """{"prompt": "q2", "response": "a2"}""");
        var sftParquet = await WriteParquet("sft.parquet", new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response")),
            Row(("prompt", "q1"), ("response", "a1")), Row(("prompt", "q2"), ("response", "a2")));
        Assert.Equal([new SftRow("q1", "a1"), new SftRow("q2", "a2")], SftRows.Load(sft));
        Assert.Equal(SftRows.Load(sft), SftRows.Load(Gzip(sft)));
        Assert.Equal(SftRows.Load(sft), SftRows.Load(sftParquet));

        // a row without an id is "STEM-N" whatever the container
        var prompts = WriteLines("prompts.jsonl", """{"prompt": "p1", "id": "a1"}""", """{"prompt": "p2"}""");
        var promptsParquet = await WriteParquet("prompts.parquet", new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("id")),
            Row(("prompt", "p1"), ("id", "a1")), Row(("prompt", "p2"), ("id", null)));
        Assert.Equal([new PromptRecord("a1", "p1"), new PromptRecord("prompts-2", "p2")], JsonlPrompts.Load(prompts));
        Assert.Equal(JsonlPrompts.Load(prompts), JsonlPrompts.Load(Gzip(prompts)));
        Assert.Equal(JsonlPrompts.Load(prompts), JsonlPrompts.Load(promptsParquet));
        var numbered = await WriteParquet("numbered.parquet", new ParquetSchema(new DataField<string>("prompt"), new DataField<long>("id")), Row(("prompt", "p"), ("id", 7L)));
        Assert.Equal([new PromptRecord("7", "p")], JsonlPrompts.Load(numbered));
    }

    [Fact]
    public async Task NestedParquetFromParquetNetReadsAcrossRowGroups()
    {
        var rows = Enumerable.Range(0, 5).Select(i => Tldr($"post {i}", [$"first {i}", $"second {i}"], i % 2)).ToArray();
        var parquet = await WriteParquet("tldr.parquet", TldrSchema, rows);
        var jsonl = WriteLines("tldr.jsonl", Enumerable.Range(0, 5).Select(i =>
            $$"""{"info": {"post": "post {{i}}", "title": "t", "subreddit": "r"}, "summaries": [{"text": "first {{i}}"}, {"text": "second {{i}}"}], "choice": {{i % 2}}}""").ToArray());
        Assert.Equal(3, await RowGroups(parquet));
        Assert.Equal(PreferenceDatasets.Load(jsonl, "tldr"), PreferenceDatasets.Load(parquet, "tldr"));
        Assert.Equal("second 3", PreferenceDatasets.Load(parquet, "tldr")[3].Chosen);
    }

    [Fact]
    public async Task BadParquetRowsNameTheFileTheRowIndexAndTheField()
    {
        // row 3 is in the second row group: the index counts from the file's first row, from 0
        var hh = await WriteParquet("hh.parquet", new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("chosen"), new DataField<string>("rejected")),
            [.. Enumerable.Range(0, 3).Select(i => Row(("prompt", $"p{i}"), ("chosen", "a"), ("rejected", "b"))), Row(("prompt", "p3"), ("chosen", "a"), ("rejected", null))]);
        Assert.Equal($"{hh}: row 3: missing field 'rejected'", Assert.Throws<EppoException>(() => PreferenceDatasets.Load(hh, "hh")).Message);

        var alpaca = await WriteParquet("alpaca.parquet", new ParquetSchema(new DataField<string>("instruction"), new DataField<string>("output_1"), new DataField<string>("output_2"), new DataField<long>("preference")),
            Row(("instruction", "x"), ("output_1", "a"), ("output_2", "b"), ("preference", 1L)), Row(("instruction", "x"), ("output_1", "a"), ("output_2", "b"), ("preference", 3L)));
        Assert.StartsWith($"{alpaca}: row 1: field 'preference' must be 1 or 2", Assert.Throws<EppoException>(() => PreferenceDatasets.Load(alpaca, "alpacafarm")).Message);

        var tldr = await WriteParquet("tldr-bad.parquet", TldrSchema, Tldr("post", ["only one"], 0));
        Assert.StartsWith($"{tldr}: row 0: field 'summaries' must be a list of two", Assert.Throws<EppoException>(() => PreferenceDatasets.Load(tldr, "tldr")).Message);
    }

    [Fact]
    public void BadGzippedRowsNameTheFileAndLine()
    {
        var path = Gzip(WriteLines("bad.jsonl", """{"prompt": "ok"}""", "", """{"prompt": 3}"""));
        Assert.StartsWith($"{path}:3: field 'prompt' must be a string", Assert.Throws<EppoException>(() => JsonlPrompts.Load(path)).Message);
    }

    [Fact]
    public void BadContainersAreOneLineNamingTheFile()
    {
        var hhGzip = File.ReadAllBytes(Fixture("hh.jsonl.gz"));
        var hhParquet = File.ReadAllBytes(Fixture("hh.parquet"));
        var footerSmashed = hhParquet.ToArray();
        footerSmashed.AsSpan(footerSmashed.Length - 8 - 40, 40).Fill(0xff);  // the footer's metadata, before its length and PAR1
        (string Name, byte[] Bytes, string Problem)[] cases =
        [
            ("cut.jsonl.gz", hhGzip[..(hhGzip.Length / 2)], "truncated gzip file"),
            ("no-trailer.jsonl.gz", hhGzip[..^6], "truncated gzip file"),
            ("plain.jsonl.gz", File.ReadAllBytes(Fixture("hh.jsonl")), "not a gzip file"),
            ("empty.jsonl.gz", [], "not a gzip file"),
            ("text.parquet", File.ReadAllBytes(Fixture("hh.jsonl")), "not a Parquet file"),
            ("empty.parquet", [], "not a Parquet file"),
            ("cut.parquet", hhParquet[..(hhParquet.Length / 2)], "truncated Parquet file"),
            ("footer.parquet", footerSmashed, "unreadable Parquet file ("),
        ];
        foreach (var (name, bytes, problem) in cases)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, bytes);
            var message = Assert.Throws<EppoException>(() => PreferenceDatasets.Load(path, "hh")).Message;
            Assert.StartsWith($"{path}: {problem}", message);
            Assert.DoesNotContain('\n', message);
        }
    }

    static readonly ParquetSchema TldrSchema = new(
        new StructField("info", new DataField<string>("post"), new DataField<string>("title"), new DataField<string>("subreddit")),
        new ListField("summaries", new StructField("element", new DataField<string>("text"))),
        new DataField<int>("choice"));

    static Dictionary<string, object?> Tldr(string post, string[] summaries, int choice) => Row(
        ("info", Row(("post", post), ("title", "t"), ("subreddit", "r"))),
        ("summaries", summaries.Select(text => Row(("text", text))).ToList()),
        ("choice", choice));

    static Dictionary<string, object?> Row(params (string Field, object? Value)[] fields) => fields.ToDictionary(f => f.Field, f => f.Value);

    /// <summary>Written by Parquet.Net, two rows per row group.</summary>
    async Task<string> WriteParquet(string name, ParquetSchema schema, params Dictionary<string, object?>[] rows)
    {
        var path = Path.Combine(dir, name);
        await using (var file = File.Create(path))
            await ParquetSerializer.SerializeUntypedAsync(rows.Cast<IDictionary<string, object?>>().ToList(), schema, file, new ParquetOptions { RowGroupSize = 2 });
        return path;
    }

    static async Task<int> RowGroups(string path)
    {
        await using var file = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(file);
        return reader.RowGroupCount;
    }

    string WriteLines(string name, params string[] lines)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Join("\n", lines));
        return path;
    }

    /// <summary>The file gzipped into the temporary folder under its name + ".gz".</summary>
    string Gzip(string path)
    {
        var gzipped = Path.Combine(dir, Path.GetFileName(path) + ".gz");
        using (var source = File.OpenRead(path))
        using (var target = new GZipStream(File.Create(gzipped), CompressionLevel.Optimal))
            source.CopyTo(target);
        return gzipped;
    }

    /// <summary>Each row as JSON with null fields dropped and keys sorted, so the two containers compare field by field.</summary>
    static List<string> CanonicalRows(string path) => DatasetRows.Read(path, (row, _) => Canonical(JsonNode.Parse(row.GetRawText()))!.ToJsonString());

    static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject fields => new JsonObject(fields.Where(f => f.Value is not null).OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => KeyValuePair.Create(f.Key, Canonical(f.Value)))),
        JsonArray items => new JsonArray(items.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };
}
