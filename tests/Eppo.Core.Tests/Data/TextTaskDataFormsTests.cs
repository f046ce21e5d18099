using System.IO.Compression;
using System.Text.Json.Nodes;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Text;
using Eppo.Core.TextTasks;
using Eppo.Tests;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Eppo.Core.Tests.Data;

/// <summary>A text spec whose data, SFT rows and prompts are Parquet and gzipped JSON lines validates and trains on what the .jsonl spec does.</summary>
public sealed class TextTaskDataFormsTests : IDisposable
{
    static readonly string Tokenizer = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers", "llama3");
    readonly string dir = Directory.CreateTempSubdirectory("eppo-text-forms-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task ParquetDataGzippedSftRowsAndParquetPromptsDoWhatTheirJsonLinesDo()
    {
        var policy = Path.Combine(dir, "policy");
        using (var model = new DecoderModel(ModelConfig.Tiny(vocabSize: HuggingFaceTokenizer.Load(Tokenizer).VocabSize, maxPositions: 128)))
            HuggingFaceExport.Save(model, policy, Tokenizer);

        var pairs = Enumerable.Range(0, 40).Select(i => (Prompt: $"\n\nHuman: Question {i % 20}?\n\nAssistant:", Chosen: $"Answer {i}.", Rejected: "I cannot help.")).ToList();
        var data = Lines("pairs.jsonl", pairs.Select(p => new JsonObject { ["prompt"] = p.Prompt, ["chosen"] = p.Chosen, ["rejected"] = p.Rejected }));
        var dataParquet = await Parquet("pairs.parquet", [new DataField<string>("prompt"), new DataField<string>("chosen"), new DataField<string>("rejected")],
            pairs.Select(p => new object?[] { p.Prompt, p.Chosen, p.Rejected }));
        var sft = Lines("sft.jsonl", Enumerable.Range(0, 10).Select(i => new JsonObject { ["prompt"] = $"\n\nHuman: Say {i}.\n\nAssistant:", ["response"] = $"{i}." }));
        var prompts = Lines("prompts.jsonl", Enumerable.Range(0, 12).Select(i => new JsonObject { ["prompt"] = $"\n\nHuman: Count to {i}.\n\nAssistant:" }));
        var promptsParquet = await Parquet("prompts.parquet", [new DataField<string>("prompt")],
            Enumerable.Range(0, 12).Select(i => new object?[] { $"\n\nHuman: Count to {i}.\n\nAssistant:" }));

        RunSpec Spec(string pairsFile, string sftFile, string promptsFile) => new()
        {
            Task = "text", MaxNewTokens = 16, Seed = 3, PromptsFile = promptsFile,
            Text = new TextSpec { Policy = policy, Data = pairsFile, SftData = sftFile, HeldOutFraction = 0.2, MaxPromptTokens = 64 },
        };
        var plain = Spec(data, sft, prompts);
        var forms = Spec(dataParquet, Gzip(sft), promptsParquet);
        TrainingTasks.Validate(plain, "plain.json");
        TrainingTasks.Validate(forms, "forms.json");

        var (a, b) = (TextTask.For(plain), TextTask.For(forms));
        Assert.Equal(12, b.TrainPrompts(forms).Ids.Count);
        Assert.Equal(a.TrainPrompts(plain).Ids, b.TrainPrompts(forms).Ids);
        Assert.Equal(a.HeldOutPrompts(100, 0).Ids, b.HeldOutPrompts(100, 0).Ids);
        Assert.Equal(a.SftRows(plain), b.SftRows(forms));
        Assert.Equal(a.Lengths(plain), b.Lengths(forms));
    }

    string Lines(string name, IEnumerable<JsonObject> rows)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllLines(path, rows.Select(r => r.ToJsonString()));
        return path;
    }

    async Task<string> Parquet(string name, DataField[] fields, IEnumerable<object?[]> rows)
    {
        var path = Path.Combine(dir, name);
        var dictionaries = rows.Select(values => (IDictionary<string, object?>)fields.Zip(values).ToDictionary(f => f.First.Name, f => f.Second)).ToList();
        await using (var file = File.Create(path))
            await ParquetSerializer.SerializeUntypedAsync(dictionaries, new ParquetSchema(fields), file, new ParquetOptions { RowGroupSize = 16 });
        return path;
    }

    string Gzip(string path)
    {
        var gzipped = path + ".gz";
        using (var source = File.OpenRead(path))
        using (var target = new GZipStream(File.Create(gzipped), CompressionLevel.Optimal))
            source.CopyTo(target);
        return gzipped;
    }
}
