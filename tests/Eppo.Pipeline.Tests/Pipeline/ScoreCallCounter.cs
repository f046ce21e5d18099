using System.Collections.Concurrent;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>Counts the responses every reward scorer grain is asked to score, keyed by run id.</summary>
public sealed class ScoreCallCounter : IIncomingGrainCallFilter
{
    public ConcurrentDictionary<string, int> Rows { get; } = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.Name == nameof(IRewardScorerGrain.ScoreAsync) && context.Request.GetArgument(3) is int[][] responses)
            Rows.AddOrUpdate(context.TargetId.Key.ToString()!.Split('/')[0], responses.Length, (_, rows) => rows + responses.Length);
    }
}
