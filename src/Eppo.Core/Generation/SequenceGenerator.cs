using Eppo.Core.Model;

namespace Eppo.Core.Generation;

/// <summary>
/// Batched autoregressive decoding with left-padded prompts and a preallocated KV cache. Every step's forward pass
/// also yields the energy of the token it feeds, so response energies come for free; after the last sampled token
/// one more cached step feeds it, so every non-EOS response token has its energy. Results equal
/// <see cref="TeacherForcing.Score"/> on the same prompts and responses. With an adapter, the model is the base it
/// adapts; the energy is read at <paramref name="site"/> (default: the model's config).
/// </summary>
public sealed class SequenceGenerator(DecoderModel model, Adapters.LoraAdapter? adapter = null, EnergySite? site = null)
{
    public GenerationResult Generate(int[][] prompts, GenerationOptions options)
    {
        options.Validate();
        if (model.Kind != HeadKind.LanguageModel)
            throw new EppoException($"Generation needs a LanguageModel head, the model has a {model.Kind} head.");
        if (prompts.Length == 0) throw new EppoException("Generation: prompts is empty.");
        var longest = prompts.Max(p => p?.Length ?? 0);
        if (longest + options.MaxNewTokens > model.Config.MaxPositions)
            throw new EppoException(
                $"Generation: longest prompt ({longest}) + MaxNewTokens ({options.MaxNewTokens}) exceeds MaxPositions ({model.Config.MaxPositions}).");
        var vocab = model.Config.VocabSize;
        if (prompts.Any(p => p is not null && p.Any(t => t < 0 || t >= vocab)))
            throw new EppoException($"Generation: prompt token ids must lie in [0, {vocab}).");

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = model.ParameterDevice;
        using var generator = new torch.Generator((ulong)options.Seed, device);
        var batchSize = prompts.Length;
        var prompt = SequenceBatch.Build(prompts, new int[batchSize][], eosId: -1, options.PadId, device);
        using var cache = options.UseKvCache
            ? new KvCache(model.Config, batchSize, prompt.PromptLength + options.MaxNewTokens, device)
            : null;

        var tokens = prompt.Tokens;                  // (B, T) grows only without a cache
        var positions = prompt.Positions;            // (B, T) likewise
        var mask = prompt.AttentionMask;             // (B, T) grows every step
        var lastPosition = positions.select(1, -1);  // (B)
        var logits = model.Forward(tokens, positions, mask, cache, adapter, site).Head.select(1, -1); // (B, V)
        var finished = zeros(batchSize, dtype: ScalarType.Bool, device: device);
        var sampled = new List<Tensor>();
        var logProbs = new List<Tensor>();
        var energies = new List<Tensor>();

        for (var step = 0; step < options.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var next = TokenSampler.Pick(logits, options, generator).where(finished.logical_not(), options.PadId); // (B)
            sampled.Add(next.MoveToOuterDisposeScope());
            logProbs.Add(logits.log_softmax(-1).gather(-1, next.unsqueeze(-1)).squeeze(-1).MoveToOuterDisposeScope());
            finished = finished.logical_or(next.EqualTo(options.EosId)).MoveToOuterDisposeScope();
            if (finished.all().item<bool>()) break;  // nothing left whose energy or successor we need

            // Feed the token: this pass gives its energy and the logits for the next one.
            mask = cat([mask, ones(batchSize, 1, dtype: mask.dtype, device: device)], 1).MoveToOuterDisposeScope();
            lastPosition = lastPosition.Plus(1).MoveToOuterDisposeScope();
            DecoderOutput output;
            if (cache is not null)
            {
                output = model.Forward(next.unsqueeze(1), lastPosition.unsqueeze(1), mask, cache, adapter, site);
            }
            else
            {
                tokens = cat([tokens, next.unsqueeze(1)], 1).MoveToOuterDisposeScope();
                positions = cat([positions, lastPosition.unsqueeze(1)], 1).MoveToOuterDisposeScope();
                output = model.Forward(tokens, positions, mask, adapter: adapter, site: site);
            }
            logits = output.Head.select(1, -1).MoveToOuterDisposeScope();
            energies.Add(output.Energy.select(1, -1).MoveToOuterDisposeScope());
        }

        return ToResult(
            stack(sampled, 1).cpu().data<long>().ToArray(),
            stack(logProbs, 1).cpu().data<float>().ToArray(),
            energies.Count > 0 ? stack(energies, 1).cpu().data<float>().ToArray() : [],
            batchSize, sampled.Count, energies.Count, options.EosId);
    }

    /// <summary>Row-major (B, S) step outputs → per-row arrays cut at each row's EOS.</summary>
    static GenerationResult ToResult(long[] tokens, float[] logProbs, float[] energies, int batchSize, int steps, int fedSteps, int eosId)
    {
        var responses = new int[batchSize][];
        var rowLogProbs = new float[batchSize][];
        var rowEnergies = new float[batchSize][];
        var rowMasks = new float[batchSize][];
        var meanEnergy = new float[batchSize];
        for (var b = 0; b < batchSize; b++)
        {
            var length = 0;
            while (length < steps && (length == 0 || tokens[b * steps + length - 1] != eosId)) length++;
            responses[b] = new int[length];
            rowLogProbs[b] = new float[length];
            rowEnergies[b] = new float[length];
            rowMasks[b] = new float[length];
            double sum = 0;
            var count = 0;
            for (var j = 0; j < length; j++)
            {
                var token = (int)tokens[b * steps + j];
                responses[b][j] = token;
                rowLogProbs[b][j] = logProbs[b * steps + j];
                if (token == eosId) continue;
                // Every non-EOS token was fed (the loop stops only once all rows have ended with EOS).
                rowEnergies[b][j] = energies[b * fedSteps + j];
                rowMasks[b][j] = 1;
                sum += rowEnergies[b][j];
                count++;
            }
            meanEnergy[b] = count == 0 ? 0 : (float)(sum / count);
        }
        return new GenerationResult(responses, rowLogProbs, rowEnergies, rowMasks, meanEnergy);
    }
}
