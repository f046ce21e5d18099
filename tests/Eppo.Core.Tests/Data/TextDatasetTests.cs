using Eppo.Core.Data;
using Eppo.Core.Tasks;

namespace Eppo.Core.Tests.Data;

/// <summary>AlpacaFarm, TL;DR and SFT rows: what a row becomes, and a bad row is one line naming file:line and field.</summary>
public sealed class TextDatasetTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-text-data-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(params string[] lines)
    {
        var path = Path.Combine(dir, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Join("\n", lines));
        return path;
    }

    [Fact]
    public void AlpacaFarmRowsBecomeInstructionPromptsWithThePreferredOutputChosen()
    {
        var path = Write(
            """{"instruction": "Name a fruit.", "input": "", "output_1": "Apple.", "output_2": "A car.", "preference": 1}""",
            """{"instruction": "Translate.", "input": "hello", "output_1": "adios", "output_2": "hola", "preference": 2}""");
        Assert.Equal([new PreferenceRecord("Name a fruit.", "Apple.", "A car."), new PreferenceRecord("Translate.\n\nhello", "hola", "adios")],
            PreferenceDatasets.Load(path, "alpacafarm"));
    }

    [Fact]
    public void TldrComparisonsBecomeRedditPostPromptsWithTheChosenSummary()
    {
        var path = Write("""{"info": {"post": "My cat ate my homework.", "title": "Help", "subreddit": "pets"}, "summaries": [{"text": " cat ate it "}, {"text": "homework"}], "choice": 0}""");
        var pair = Assert.Single(PreferenceDatasets.Load(path, "tldr"));
        Assert.Equal(new PreferenceRecord("SUBREDDIT: r/pets\nTITLE: Help\nPOST: My cat ate my homework.\nTL;DR:", "cat ate it", "homework"), pair);
    }

    [Theory]
    [InlineData("alpacafarm", """{"instruction": "x", "output_1": "a", "output_2": "b", "preference": 3}""", "field 'preference' must be 1 or 2")]
    [InlineData("alpacafarm", """{"instruction": "x", "output_1": "a", "preference": 1}""", "missing field 'output_2'")]
    [InlineData("tldr", """{"info": {"post": "p"}, "summaries": [{"text": "a"}], "choice": 0}""", "field 'summaries' must be a list of two")]
    [InlineData("tldr", """{"info": {"post": "p"}, "summaries": [{"text": "a"}, {"text": "b"}], "choice": 2}""", "field 'choice' must be 0 or 1")]
    [InlineData("tldr", """{"summaries": []}""", "missing object field 'info'")]
    [InlineData("hh", """{"chosen": "no turns here", "rejected": "x"}""", "no 'prompt' field")]
    public void BadRowsNameFileLineAndField(string format, string row, string problem)
    {
        var good = format switch
        {
            "alpacafarm" => """{"instruction": "x", "output_1": "a", "output_2": "b", "preference": 1}""",
            "tldr" => """{"info": {"post": "p"}, "summaries": [{"text": "a"}, {"text": "b"}], "choice": 1}""",
            _ => """{"prompt": "p", "chosen": "a", "rejected": "b"}""",
        };
        var path = Write(good, row);
        Assert.StartsWith($"{path}:2: {problem}", Assert.Throws<EppoException>(() => PreferenceDatasets.Load(path, format)).Message);
    }

    [Fact]
    public void SftRowsNeedAPromptAndAResponse()
    {
        Assert.Equal([new SftRow("q", "a")], SftRows.Load(Write("""{"prompt": "q", "response": "a"}""")));
        var path = Write("""{"prompt": "q", "response": "a"}""", """{"prompt": "q"}""");
        Assert.StartsWith($"{path}:2: missing field 'response'", Assert.Throws<EppoException>(() => SftRows.Load(path)).Message);
    }
}
