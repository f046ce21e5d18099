using System.Collections.Concurrent;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>Records every experience the learner grain receives and the metrics it returns, keyed by run id.</summary>
public sealed class LearnCallRecorder : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, ConcurrentQueue<(Experience Experience, IterationMetrics Metrics)>> Calls { get; } = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.Name == nameof(ILearnerGrain.LearnAsync) && context.Request.GetArgument(0) is Experience experience
            && context.Result is IterationMetrics metrics)
            Calls.GetOrAdd(context.TargetId.Key.ToString()!, _ => new()).Enqueue((experience, metrics));
    }
}
