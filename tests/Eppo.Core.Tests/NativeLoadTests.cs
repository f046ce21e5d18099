using Eppo.NativeFix;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests;

public sealed class NativeLoadTests
{
    [Fact]
    public void LibtorchLoadsAndRunsABackwardPass()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void WeakenerMarksExactlyOneFieldOnTheShippedLibrary()
    {
        var shipped = Path.Combine(NuGetRoot(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", GlibcxxNeedWeakener.LibraryName);
        Assert.True(File.Exists(shipped), $"expected the shipped native library at {shipped}");
        var original = File.ReadAllBytes(shipped);
        var need = GlibcxxNeedWeakener.FindNeed(original);
        Assert.NotNull(need);
        Assert.Equal(0, need.Value.Flags & 0x2); // the NuGet cache keeps the shipped bytes: the build writes a new file

        var copy = Path.Combine(Path.GetTempPath(), $"weaken-{Guid.NewGuid():N}.so");
        File.Copy(shipped, copy);
        try
        {
            var outcome = GlibcxxNeedWeakener.Apply(copy);
            var patched = File.ReadAllBytes(copy);
            if (GlibcxxNeedWeakener.HostHasVersion())
            {
                Assert.Contains("left as shipped", outcome);
                Assert.Equal(original, patched);
                return;
            }
            Assert.Equal("marked weak", outcome);
            var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
            Assert.Single(changed);
            Assert.Equal(need.Value.FlagsOffset, changed[0]);
            Assert.Equal(0x2, GlibcxxNeedWeakener.FindNeed(patched)!.Value.Flags & 0x2);
            Assert.Equal("already weak", GlibcxxNeedWeakener.Apply(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void WeakenerRejectsAFileThatIsNotElf()
    {
        Assert.Throws<InvalidDataException>(() => GlibcxxNeedWeakener.FindNeed(new byte[100]));
    }

    static string NuGetRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
