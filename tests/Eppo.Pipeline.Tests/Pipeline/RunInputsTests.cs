using Eppo.Contracts;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>The local profile's run inputs: verified copies under {data root}/inputs/{content hash}, which the stored spec names.</summary>
public sealed class RunInputsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-run-inputs-").FullName;
    readonly RunInputs inputs;

    public RunInputsTests() =>
        inputs = new RunInputs(new LocalArtifactStore(), Options.Create(new EppoSiloOptions { DataRoot = Path.Combine(dir, "data") }), NullLogger<RunInputs>.Instance);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string path, string text)
    {
        var full = Path.Combine(dir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    [Fact]
    public async Task Inputs_are_stored_by_content_and_the_spec_names_the_copies()
    {
        var prompts = Write("client/prompts.jsonl", "{\"prompt\": \"a\"}\n");
        Write("client/rm/model.safetensors", "weights");
        Write("client/rm/sub/config.json", "{}");
        var spec = new RunSpec { Task = "jsonl", PromptsFile = prompts, Reward = new RewardSpec { Source = Path.Combine(dir, "client/rm") } };

        var stored = await inputs.StoreAsync(spec, "r1");
        var root = Path.Combine(dir, "data", RunInputs.Prefix);
        Assert.Equal(["prompts_file", "reward.source"], stored.Inputs.Select(i => i.Field));
        Assert.StartsWith(root, stored.PromptsFile);
        Assert.Equal("prompts.jsonl", Path.GetFileName(stored.PromptsFile));
        Assert.Equal(File.ReadAllText(prompts), File.ReadAllText(stored.PromptsFile!));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(stored.Reward.Source, "sub", "config.json")));
        Assert.Equal(spec with { PromptsFile = stored.PromptsFile, Reward = stored.Reward }, stored);   // only the paths changed
        Assert.Equal(stored, await inputs.LocalizeAsync(stored));                                       // local paths already

        // The client's files can go: the copies are the run's.
        Directory.Delete(Path.Combine(dir, "client"), recursive: true);
        Assert.True(File.Exists(stored.PromptsFile));

        // Equal content elsewhere is the same input; one changed byte is another.
        var same = await inputs.StoreAsync(spec with { PromptsFile = Write("elsewhere/prompts.jsonl", "{\"prompt\": \"a\"}\n"), Reward = new RewardSpec() }, "r2");
        Assert.Equal(stored.PromptsFile, same.PromptsFile);
        var changed = await inputs.StoreAsync(spec with { PromptsFile = Write("changed/prompts.jsonl", "{\"prompt\": \"b\"}\n"), Reward = new RewardSpec() }, "r3");
        Assert.NotEqual(stored.PromptsFile, changed.PromptsFile);
        Assert.Equal(3, Directory.GetDirectories(root).Length);   // the two prompt files and the reward checkpoint
    }

    [Fact]
    public async Task A_spec_without_files_is_stored_unchanged()
    {
        var spec = new RunSpec();
        Assert.Empty(spec.Inputs);
        Assert.Equal(spec.ToJson(), (await inputs.StoreAsync(spec, "r")).ToJson());
    }

    [Fact]
    public async Task An_input_that_cannot_be_read_is_one_line_naming_its_field()
    {
        var empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
        var error = await Assert.ThrowsAsync<EppoException>(() => inputs.StoreAsync(new RunSpec { Sft = new SftSpec { Source = empty } }, "r"));
        Assert.StartsWith("run spec: field 'sft.source':", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
