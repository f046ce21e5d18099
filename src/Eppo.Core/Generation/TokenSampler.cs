namespace Eppo.Core.Generation;

/// <summary>Picks the next token from logits: greedy, or temperature / top-k / top-p sampling.</summary>
public static class TokenSampler
{
    /// <summary>logits (B, V) → token ids (B) int64.</summary>
    public static Tensor Pick(Tensor logits, GenerationOptions options, torch.Generator generator)
    {
        using var scope = NewDisposeScope();
        if (!options.DoSample) return logits.argmax(-1).MoveToOuterDisposeScope();
        var scaled = logits.DividedBy(options.Temperature);
        if (options.TopK > 0 && options.TopK < logits.shape[^1]) scaled = KeepTopK(scaled, options.TopK);
        if (options.TopP < 1) scaled = KeepTopP(scaled, options.TopP);
        return scaled.softmax(-1).multinomial(1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>(B, V): every logit below the k-th largest of its row becomes −∞.</summary>
    public static Tensor KeepTopK(Tensor logits, int k)
    {
        using var scope = NewDisposeScope();
        var kth = logits.topk(k).values.narrow(-1, k - 1, 1);                          // (B, 1)
        return logits.MaskedFill(logits.lt(kth), double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>(B, V): keeps the smallest set of most likely tokens whose mass reaches p (always the top one).</summary>
    public static Tensor KeepTopP(Tensor logits, double p)
    {
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.sort(-1, descending: true);                       // (B, V)
        var probs = sorted.softmax(-1);
        var massBefore = probs.cumsum(-1) - probs;                                      // mass of strictly better tokens
        var dropSorted = massBefore.AtLeast(p);                            // as HF: the token that crosses p stays
        var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted);              // back to vocabulary order
        return logits.MaskedFill(drop, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
