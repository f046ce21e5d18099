using Eppo.Core.Data;

namespace Eppo.Core.Tests.Data;

public sealed class LoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eppo-loaders-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", lines));
        return path;
    }

    [Fact]
    public void PromptsLoadWithIdsAndSkipBlankLines()
    {
        var path = Write("prompts.jsonl", """{"prompt": "add 3 and 5", "id": "a1"}""", "", "  ", """{"prompt": "sort 7 2 5"}""", """{"prompt": "x", "id": 7}""");
        var prompts = JsonlPrompts.Load(path);
        Assert.Equal(
            [new PromptRecord("a1", "add 3 and 5"), new PromptRecord("prompts-2", "sort 7 2 5"), new PromptRecord("7", "x")],
            prompts);
    }

    [Theory]
    [InlineData("""{"text": "hi"}""", "missing field 'prompt'")]
    [InlineData("""{"prompt": "  "}""", "empty prompt")]
    [InlineData("""{"prompt": 3}""", "field 'prompt' must be a string")]
    [InlineData("""{"prompt": "a", "id": [1]}""", "field 'id' must be a string or a number")]
    [InlineData("""{"prompt": "a" """, "invalid JSON")]
    [InlineData("""["a"]""", "expected a JSON object")]
    public void BadPromptRowsNameFileLineAndProblem(string badRow, string problem)
    {
        var path = Write("bad.jsonl", """{"prompt": "ok"}""", "", badRow);
        var e = Assert.Throws<EppoException>(() => JsonlPrompts.Load(path));
        Assert.StartsWith($"{path}:3: {problem}", e.Message);
    }

    [Fact]
    public void EmptyOrMissingFilesAreErrors()
    {
        var empty = Write("empty.jsonl", "", " ");
        Assert.Equal($"no prompts in {empty}", Assert.Throws<EppoException>(() => JsonlPrompts.Load(empty)).Message);
        Assert.Equal($"no preference pairs in {empty}", Assert.Throws<EppoException>(() => HhPreferencePairs.Load(empty)).Message);
        var missing = Path.Combine(_dir, "nope.jsonl");
        Assert.Contains(missing, Assert.Throws<EppoException>(() => JsonlPrompts.Load(missing)).Message);
    }

    [Fact]
    public void PairsLoadInTheExplicitForm()
    {
        var path = Write("pairs.jsonl", """{"prompt": "p", "chosen": "good", "rejected": "bad"}""");
        Assert.Equal([new PreferenceRecord("p", "good", "bad")], HhPreferencePairs.Load(path));
    }

    [Fact]
    public void PairsLoadInTheOriginalHhDialogueForm()
    {
        var path = Write("hh.jsonl",
            """{"chosen": "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant: Fine, thanks.", "rejected": "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant: Go away."}""");
        var pair = Assert.Single(HhPreferencePairs.Load(path));
        Assert.Equal("\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant:", pair.Prompt);
        Assert.Equal("Fine, thanks.", pair.Chosen);
        Assert.Equal("Go away.", pair.Rejected);
    }

    [Theory]
    [InlineData("""{"prompt": "p", "chosen": "good"}""", "missing field 'rejected'")]
    [InlineData("""{"prompt": "", "chosen": "a", "rejected": "b"}""", "empty prompt")]
    [InlineData("""{"chosen": "no turns", "rejected": "b"}""", "no 'prompt' field and 'chosen' has no")]
    [InlineData("""{"chosen": "\n\nHuman: a\n\nAssistant: x", "rejected": "\n\nHuman: b\n\nAssistant: y"}""", "'chosen' and 'rejected' differ")]
    [InlineData("""{"chosen": "\n\nAssistant: x", "rejected": "\n\nAssistant: y"}""", "empty prompt")]
    [InlineData("not json", "invalid JSON")]
    public void BadPairRowsNameFileLineAndProblem(string badRow, string problem)
    {
        var path = Write("pairs.jsonl", """{"prompt": "p", "chosen": "a", "rejected": "b"}""", badRow);
        var e = Assert.Throws<EppoException>(() => HhPreferencePairs.Load(path));
        Assert.StartsWith($"{path}:2: {problem}", e.Message);
    }
}
