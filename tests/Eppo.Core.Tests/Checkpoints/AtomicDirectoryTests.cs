using Eppo.Core.Checkpoints;

namespace Eppo.Core.Tests.Checkpoints;

/// <summary>The one atomic directory writer: all of the new directory or all of the old one, and no leftovers.</summary>
public sealed class AtomicDirectoryTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("eppo-atomic-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Target => Path.Combine(root, "ckpt");

    static void Fill(string dir, string text)
    {
        Directory.CreateDirectory(Path.Combine(dir, "actor"));
        File.WriteAllText(Path.Combine(dir, "actor", "model.bin"), text);
        File.WriteAllText(Path.Combine(dir, text + ".json"), text);
    }

    string[] Contents(string dir) => Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order().ToArray();

    void NothingLeftBeside() => Assert.Equal([Target], Directory.GetDirectories(root));

    [Fact]
    public void WriteCreatesThenReplacesTheWholeDirectory()
    {
        AtomicDirectory.Write(Target, temp => Fill(temp, "first"));
        Assert.Equal(["actor/model.bin", "first.json"], Contents(Target));
        AtomicDirectory.Write(Target, temp => Fill(temp, "second"));
        Assert.Equal(["actor/model.bin", "second.json"], Contents(Target));  // not merged: the old directory is gone
        Assert.Equal("second", File.ReadAllText(Path.Combine(Target, "actor", "model.bin")));
        NothingLeftBeside();
    }

    [Fact]
    public void AFailedFillLeavesTheOldDirectoryUntouched()
    {
        AtomicDirectory.Write(Target, temp => Fill(temp, "first"));
        var error = Assert.Throws<EppoException>(() => AtomicDirectory.Write(Target, temp =>
        {
            Fill(temp, "second");
            throw new EppoException("disk full");
        }));
        Assert.Equal("disk full", error.Message);
        Assert.Equal(["actor/model.bin", "first.json"], Contents(Target));
        NothingLeftBeside();
        Assert.Throws<EppoException>(() => AtomicDirectory.Write(Path.Combine(root, "never"), _ => throw new EppoException("no")));
        NothingLeftBeside();
    }

    [Fact]
    public async Task CreateKeepsADirectoryThatIsAlreadyThere()
    {
        Assert.True(await AtomicDirectory.CreateAsync(Target, async temp =>
        {
            await Task.Yield();
            Fill(temp, "first");
        }));
        Assert.False(await AtomicDirectory.CreateAsync(Target, temp =>
        {
            Fill(temp, "second");
            return Task.CompletedTask;
        }));
        Assert.Equal(["actor/model.bin", "first.json"], Contents(Target));
        NothingLeftBeside();
        await AtomicDirectory.WriteAsync(Target, temp =>
        {
            Fill(temp, "third");
            return Task.CompletedTask;
        });
        Assert.Equal(["actor/model.bin", "third.json"], Contents(Target));
    }
}
