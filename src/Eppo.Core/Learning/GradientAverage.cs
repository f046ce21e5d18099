namespace Eppo.Core.Learning;

/// <summary>
/// The data-parallel gradient hook: each replica's gradients, weighted by the tokens its loss averaged over, are summed
/// across the replicas (<see cref="IBatchReduction.Sum"/>, in replica order, so every replica receives the same bits)
/// and divided by the minibatch's tokens: the gradient of the token mean over the whole minibatch, as one learner
/// would compute it. A replica without rows of the minibatch sends zeros with weight 0. The gradients travel in
/// buckets of at most <see cref="BucketFloats"/> values (every replica cuts them alike), so no message outgrows Orleans'
/// limit and no array .NET's.
/// </summary>
public sealed class GradientAverage(IBatchReduction reduce) : IGradientHook
{
    public const int BucketFloats = 4 << 20;

    public void OnGradients(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, float tokens)
    {
        var total = reduce.Sum([tokens])[0];
        if (total <= 0) throw new EppoException("data-parallel learner: a minibatch with no token on any replica");
        foreach (var bucket in Buckets(parameters))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            // One tensor per bucket, one copy each way: per-parameter copies cost seconds per step at 10 M values.
            var flat = cat(bucket.Select(s => s.P.grad is { } grad && tokens > 0
                ? grad.flatten().narrow(0, s.Start, s.Length).to_type(ScalarType.Float32)
                : zeros(s.Length, ScalarType.Float32, s.P.device)).ToArray());
            var sum = reduce.Sum((flat * tokens).cpu().data<float>().ToArray());
            var average = tensor(sum, device: flat.device) / total;
            var at = 0;
            foreach (var (p, start, length) in bucket)
            {
                if (p.grad is null) p.grad = zeros_like(p).DetachFromDisposeScope();
                p.grad!.view(-1).narrow(0, start, length).copy_(average.narrow(0, at, length).to_type(p.dtype));
                at += length;
            }
        }
    }

    /// <summary>The parameters cut into buckets of (parameter, start, length) slices.</summary>
    static IEnumerable<List<(TorchSharp.Modules.Parameter P, long Start, int Length)>> Buckets(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        var bucket = new List<(TorchSharp.Modules.Parameter, long, int)>();
        var filled = 0;
        foreach (var p in parameters)
            for (long start = 0, n = p.numel(); start < n;)
            {
                var length = (int)Math.Min(n - start, BucketFloats - filled);
                bucket.Add((p, start, length));
                start += length;
                filled += length;
                if (filled == BucketFloats)
                {
                    yield return bucket;
                    bucket = [];
                    filled = 0;
                }
            }
        if (bucket.Count > 0) yield return bucket;
    }
}
