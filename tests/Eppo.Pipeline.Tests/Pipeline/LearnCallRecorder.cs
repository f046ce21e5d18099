using System.Collections.Concurrent;
using Eppo.Contracts;
using Eppo.Contracts.Messages;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>Records every batch the learner grain receives and the metrics it returns, keyed by run id.</summary>
public sealed class LearnCallRecorder : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, ConcurrentQueue<(LearnerBatch Batch, IterationMetrics Metrics)>> Calls { get; } = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.Name == nameof(ILearnerGrain.LearnAsync) && context.Request.GetArgument(0) is LearnerBatch batch
            && context.Result is IterationMetrics metrics)
            Calls.GetOrAdd(context.TargetId.Key.ToString()!, _ => new()).Enqueue((batch, metrics));
    }
}
