using Eppo.Core.Generation;
using Eppo.Core.Model;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Generation;

public sealed class SequenceGeneratorTests
{
    // Ragged: the batch left-pads rows 1 and 2 by four and five slots.
    static readonly int[][] Prompts = [[4, 8, 15, 16, 23, 42], [7, 3], [12]];

    static DecoderModel NewModel(ModelFamily family, EnergySite site = EnergySite.DownProj) =>
        new(ModelConfig.Tiny(family, probeSite: site), seed: 21, initStd: 0.3);

    [Theory]
    [InlineData(ModelFamily.Llama)]
    [InlineData(ModelFamily.Gpt2)]
    public void CachedAndUncachedGreedyAgree(ModelFamily family)
    {
        using var model = NewModel(family);
        var generator = new SequenceGenerator(model);
        // As EOS take a token that row 1 first produces after step 0 and some row never does: rows end at different times.
        var free = generator.Generate(Prompts, GenerationOptions.Greedy(8, eosId: -1));
        var row = free.Responses[1];
        var end = Enumerable.Range(1, row.Length - 1).First(j =>
            !row.Take(j).Contains(row[j]) && free.Responses.Any(other => !other.Contains(row[j])));
        var eos = row[end];
        var options = GenerationOptions.Greedy(8, eos);

        var cached = generator.Generate(Prompts, options);
        var uncached = generator.Generate(Prompts, options with { UseKvCache = false });

        Assert.Equal(end + 1, cached.Responses[1].Length);
        Assert.Contains(cached.Responses, r => r.Length > end + 1);              // some row runs on past row 1's end
        Assert.Equal(eos, cached.Responses[1][^1]);
        Assert.Equal(0f, cached.ResponseMask[1][^1]);
        for (var b = 0; b < Prompts.Length; b++)
        {
            Assert.Equal(cached.Responses[b], uncached.Responses[b]);
            Assert.Equal(free.Responses[b].Take(cached.Responses[b].Length), cached.Responses[b]);
            AssertClose(uncached.LogProbs[b], cached.LogProbs[b], 1e-5);
            AssertClose(uncached.Energies[b], cached.Energies[b], 1e-5);
            Assert.Equal(uncached.ResponseMask[b], cached.ResponseMask[b]);
            Assert.Equal(uncached.MeanEnergy[b], cached.MeanEnergy[b], 1e-5f);
            Assert.All(cached.LogProbs[b].Concat(cached.Energies[b]), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Theory]
    [InlineData(ModelFamily.Llama, EnergySite.Block)]
    [InlineData(ModelFamily.Gpt2, EnergySite.MlpLinears)]
    public void PaddingDoesNotChangeARow(ModelFamily family, EnergySite site)
    {
        using var model = NewModel(family, site);
        var generator = new SequenceGenerator(model);
        var options = GenerationOptions.Greedy(6, eosId: -1);
        var batched = generator.Generate(Prompts, options);
        for (var b = 0; b < Prompts.Length; b++)
        {
            var alone = generator.Generate([Prompts[b]], options);
            Assert.Equal(alone.Responses[0], batched.Responses[b]);
            AssertClose(alone.LogProbs[0], batched.LogProbs[b], 1e-4);
            AssertClose(alone.Energies[0], batched.Energies[b], 1e-4);
        }
    }

    [Theory]
    [InlineData(ModelFamily.Llama, 0, 1.0, 1.0)]
    [InlineData(ModelFamily.Gpt2, 0, 1.0, 1.0)]
    [InlineData(ModelFamily.Llama, 5, 0.8, 0.9)]
    public void GenerationMatchesTeacherForcing(ModelFamily family, int topK, double temperature, double topP)
    {
        using var scope = NewDisposeScope();
        using var model = NewModel(family, EnergySite.MlpLinears);
        var free = GenerationOptions.Sampling(10, eosId: -1, seed: 3, temperature, topK, topP);
        var row = new SequenceGenerator(model).Generate(Prompts, free).Responses[0];
        var eos = row[Enumerable.Range(1, row.Length - 1).First(j => !row.Take(j).Contains(row[j]))]; // row 0 ends early
        var options = free with { EosId = eos };
        var generated = new SequenceGenerator(model).Generate(Prompts, options);
        Assert.Equal(eos, generated.Responses[0][^1]);

        var batch = SequenceBatch.Build(Prompts, generated.Responses, options.EosId);
        var scores = TeacherForcing.Score(model, batch);
        for (var b = 0; b < Prompts.Length; b++)
        {
            var length = generated.Responses[b].Length;
            AssertClose(scores.LogProbs[b].narrow(0, 0, length).data<float>().ToArray(), generated.LogProbs[b], 1e-4);
            var mask = batch.ResponseMask[b].narrow(0, 0, length).data<float>().ToArray();
            Assert.Equal(mask, generated.ResponseMask[b]);
            var teacherEnergy = (scores.Energy[b].narrow(0, 0, length) * batch.ResponseMask[b].narrow(0, 0, length)).data<float>().ToArray();
            AssertClose(teacherEnergy, generated.Energies[b], 1e-4);
            Assert.Equal(scores.MeanEnergy[b].item<float>(), generated.MeanEnergy[b], 1e-4f);
        }
    }

    [Fact]
    public void SeedFixesSamplesAndSeedsDiffer()
    {
        using var model = NewModel(ModelFamily.Llama);
        var generator = new SequenceGenerator(model);
        var first = generator.Generate(Prompts, GenerationOptions.Sampling(8, -1, seed: 1));
        var again = generator.Generate(Prompts, GenerationOptions.Sampling(8, -1, seed: 1));
        var other = generator.Generate(Prompts, GenerationOptions.Sampling(8, -1, seed: 2));
        Assert.Equal(first.Responses, again.Responses);
        Assert.Equal(first.LogProbs, again.LogProbs);
        Assert.NotEqual(first.Responses, other.Responses);
    }

    [Fact]
    public void TopKOfOneIsGreedy()
    {
        using var model = NewModel(ModelFamily.Gpt2);
        var generator = new SequenceGenerator(model);
        var greedy = generator.Generate(Prompts, GenerationOptions.Greedy(8, -1));
        var topOne = generator.Generate(Prompts, GenerationOptions.Sampling(8, -1, seed: 9, temperature: 1.7, topK: 1));
        Assert.Equal(greedy.Responses, topOne.Responses);
    }

    [Fact]
    public void AllRowsEndingEarlyStopsTheLoop()
    {
        using var model = NewModel(ModelFamily.Llama);
        var generator = new SequenceGenerator(model);
        var free = generator.Generate([[1, 2]], GenerationOptions.Greedy(4, -1));
        var result = generator.Generate([[1, 2]], GenerationOptions.Greedy(4, free.Responses[0][0]));
        Assert.Equal([free.Responses[0][0]], result.Responses[0]);
        Assert.Equal([0f], result.ResponseMask[0]);
        Assert.Equal(0f, result.MeanEnergy[0]);
    }

    [Fact]
    public void BadRequestsNameTheProblem()
    {
        using var model = NewModel(ModelFamily.Gpt2);
        var generator = new SequenceGenerator(model);
        Assert.Contains("MaxPositions", Assert.Throws<EppoException>(() =>
            generator.Generate(Prompts, GenerationOptions.Greedy(model.Config.MaxPositions, -1))).Message);
        Assert.Contains("MaxNewTokens", Assert.Throws<EppoException>(() => generator.Generate(Prompts, GenerationOptions.Greedy(0, -1))).Message);
        Assert.Contains("TopP", Assert.Throws<EppoException>(() => generator.Generate(Prompts, GenerationOptions.Sampling(4, -1, 0, topP: 0))).Message);
        Assert.Contains("[0, 50)", Assert.Throws<EppoException>(() => generator.Generate([[50]], GenerationOptions.Greedy(2, -1))).Message);
        Assert.Contains("prompt 0", Assert.Throws<EppoException>(() => generator.Generate([[]], GenerationOptions.Greedy(2, -1))).Message);
    }

    static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: {expected[i]} vs {actual[i]}");
    }
}
