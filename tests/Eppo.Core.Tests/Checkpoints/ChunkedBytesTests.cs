using System.Security.Cryptography;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Checkpoints;

public sealed class ChunkedBytesTests
{
    [Fact]
    public void APolicyWrittenInSmallChunksReadsBackWholeWithoutOneArrayHoldingIt()
    {
        // The publication path with the chunk size turned down: a model far larger than one chunk.
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(), seed: 3);
        var chunks = new ChunkedBytes(1000);
        SafetensorsWriter.Plan(model.state_dict()).WriteTo(chunks);
        chunks.Flush();
        var whole = ModelWeights.ToBytes(model);
        Assert.Equal(whole.Length, chunks.Length);
        Assert.True(chunks.Chunks.Count > 20, $"{chunks.Chunks.Count} chunks");
        Assert.All(chunks.Chunks.SkipLast(1), c => Assert.Equal(1000, c.Length));
        Assert.Equal(whole, chunks.Chunks.SelectMany(c => c).ToArray());
        Assert.Equal(SHA256.HashData(whole), chunks.Sha256);

        var across = new byte[1500];
        chunks.Read(2500, across);   // spans chunks 2, 3 and 4
        Assert.Equal(whole.AsSpan(2500, 1500).ToArray(), across);

        using var copy = DecoderModel.ToOverwrite(model.Config, HeadKind.LanguageModel);
        ModelWeights.Load(copy, SafetensorsFile.FromChunks(ChunkedBytes.Of(chunks.Chunks, 1000), "test"));
        foreach (var (name, value) in model.state_dict()) Assert.True(value.eq(copy.state_dict()[name]).all().item<bool>(), name);
    }
}
