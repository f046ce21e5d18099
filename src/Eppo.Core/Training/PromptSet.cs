using Eppo.Core.Data;
using Eppo.Core.HackBench;
using Eppo.Core.Runs;

namespace Eppo.Core.Training;

/// <summary>A run's training prompts: stable ids and token ids. Built the same way on every silo from the spec.</summary>
public sealed record PromptSet(IReadOnlyList<string> Ids, IReadOnlyList<int[]> Tokens)
{
    public int Count => Ids.Count;

    public static PromptSet ForRun(RunSpec spec, TaskCodec codec)
    {
        PromptSet set = spec.Task switch
        {
            "hackbench" => FromHackBench(PromptGenerator.Generate(spec.Seed, HackBenchSplit.Train, spec.Prompts), codec),
            "jsonl" => FromRecords(JsonlPrompts.Load(spec.PromptsFile!).Take(spec.Prompts).ToList(), codec),
            _ => throw new EppoException($"task: unknown task '{spec.Task}'"),
        };
        if (set.Count == 0) throw new EppoException("prompts: the prompt set is empty");
        return set;
    }

    public static PromptSet FromHackBench(IReadOnlyList<HackBenchPrompt> prompts, TaskCodec codec) =>
        new(prompts.Select(p => p.Id).ToArray(), prompts.Select(p => codec.EncodePrompt(p.Text)).ToArray());

    static PromptSet FromRecords(IReadOnlyList<PromptRecord> records, TaskCodec codec) =>
        new(records.Select(r => r.Id).ToArray(), records.Select(r => codec.EncodePrompt(r.Prompt)).ToArray());
}
