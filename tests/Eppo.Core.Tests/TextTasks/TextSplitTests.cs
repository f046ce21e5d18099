using Eppo.Core.Data;
using Eppo.Core.TextTasks;

namespace Eppo.Core.Tests.TextTasks;

public sealed class TextSplitTests
{
    static readonly PreferenceRecord[] Records = [.. Enumerable.Range(0, 400).Select(i => new PreferenceRecord($"prompt {i % 200}", $"good {i}", $"bad {i}"))];

    [Fact]
    public void ThePromptSplitIsFixedByTheSeedAndKeepsAPromptsPairsTogether()
    {
        var a = TextSplit.Of(Records, 0.25, seed: 1, "data.jsonl");
        Assert.Equal(a.HeldOut.Select(r => r.Prompt), TextSplit.Of(Records, 0.25, seed: 1, "data.jsonl").HeldOut.Select(r => r.Prompt));
        Assert.NotEqual(a.HeldOut.Select(r => r.Prompt).ToHashSet(), TextSplit.Of(Records, 0.25, seed: 2, "data.jsonl").HeldOut.Select(r => r.Prompt).ToHashSet());
        Assert.Empty(a.Train.Select(r => r.Prompt).Intersect(a.HeldOut.Select(r => r.Prompt)));  // no prompt on both sides
        Assert.InRange(a.HeldOut.Count / (double)Records.Length, 0.15, 0.35);
    }

    [Fact]
    public void ASplitWithAnEmptySideIsAnError()
    {
        PreferenceRecord[] one = [new("only", "a", "b")];
        var message = Record.Exception(() => TextSplit.Of(one, 0.5, 1, "tiny.jsonl"))!.Message;
        Assert.StartsWith("tiny.jsonl: ", message);
    }
}
