using Eppo.Cli.Bench;
using Eppo.Core;

namespace Eppo.Console.Tests;

/// <summary>
/// The PyTorch peer of `bench model` compares only on a real BLAS: on Debian's netlib reference BLAS (~30× slower than
/// OpenBLAS) it refuses, in one line saying what to install. The verdict is torch_peer.py's own code, judged on given
/// mappings (whatever BLAS this machine has) and on the real reference library loaded for real.
/// </summary>
public sealed class TorchPeerBlasTests
{
    const string Lib = "/usr/lib/x86_64-linux-gnu";

    [Theory]
    [InlineData($"{Lib}/blas/libblas.so.3.11.0")]                                   // the libblas.so.3 alternative on libblas3
    [InlineData("/usr/lib/aarch64-linux-gnu/blas/libblas.so.3")]
    [InlineData($"{Lib}/libc.so.6", $"{Lib}/blas/libblas.so.3", $"{Lib}/openblas-pthread/libopenblas.so.0")]   // loaded first: torch resolves to it
    public void ThePeerRefusesDebiansReferenceBlasInOneLineSayingWhatToInstall(params string[] mapped)
    {
        var message = Assert.Throws<EppoException>(() => TorchPeer.CheckBlas(mapped)).Message;
        Assert.StartsWith("bench model: the PyTorch peer would run on Debian's reference BLAS (", message);
        Assert.Contains(mapped.First(p => p.Contains("/blas/", StringComparison.Ordinal)), message);
        Assert.Contains("apt install libopenblas0-pthread", message);
        Assert.DoesNotContain('\n', message);
    }

    [Theory]
    [InlineData($"{Lib}/openblas-pthread/libblas.so.3")]                            // the alternative on libopenblas0-pthread
    [InlineData($"{Lib}/blis-openmp/libblas.so.3")]
    [InlineData($"{Lib}/libc.so.6", $"{Lib}/libmkl_rt.so")]
    [InlineData($"{Lib}/libc.so.6")]                                                 // a torch with its own BLAS
    [InlineData("/opt/blas/lib/libopenblas.so.0")]                                  // a directory named blas, not the reference library
    public void ThePeerComparesOnAnyOtherBlas(params string[] mapped) => Assert.Null(TorchPeer.CheckBlas(mapped));

    [Fact]
    public void ThePeerRefusesWhenItsProcessReallyLoadsTheReferenceBlas()
    {
        Assert.True(File.Exists($"{Lib}/blas/libblas.so.3"), "python3-torch brings libblas3, the reference BLAS");
        // The loader finds the reference libblas.so.3 first, whatever the alternative names: the real library, loaded for real.
        var message = Assert.Throws<EppoException>(() => TorchPeer.Unavailable(new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = $"{Lib}/blas" })).Message;
        Assert.Contains($"{Lib}/blas/libblas.so", message);
        Assert.Contains("libopenblas0-pthread", message);
    }
}
