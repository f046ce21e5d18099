namespace Eppo.Core.Evaluation;

/// <summary>
/// Area under the ROC curve, rank-based (Mann–Whitney): the probability that a random positive scores above a
/// random negative, ties counting one half. NaN when either class is empty.
/// </summary>
public static class Auroc
{
    public static double Compute(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count)
            throw new EppoException($"AUROC needs one label per score: {scores.Count} scores, {labels.Count} labels");
        if (scores.Any(float.IsNaN)) throw new EppoException("AUROC scores contain NaN");
        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;

        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            var midRank = (start + end) / 2.0 + 1; // 1-based average rank of the tied block
            for (var k = start; k <= end; k++)
                if (labels[order[k]]) positiveRankSum += midRank;
            start = end + 1;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
