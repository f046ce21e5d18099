namespace Eppo.Core.Tasks;

/// <summary>Scores (prompt, response) pairs: a reward model, or the gold judge as a control.</summary>
public interface IRewardFunction
{
    /// <summary>One score per pair; never NaN (a non-finite score is an error naming the sample).</summary>
    float[] Score(int[][] prompts, int[][] responses);
}
