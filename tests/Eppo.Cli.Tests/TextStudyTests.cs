using Eppo.Experiments;
using Eppo.Experiments.Judges;

namespace Eppo.Cli.Tests;

public sealed class TextStudyTests
{
    [Theory]
    [InlineData(JudgeOutcome.Lose, 1.0, 0.0, true)]    // the proxy preferred it, the judge did not: hacking
    [InlineData(JudgeOutcome.Lose, -1.0, 0.0, false)]  // both saw it worse: just a bad answer
    [InlineData(JudgeOutcome.Win, 1.0, 0.0, false)]    // both saw it better
    [InlineData(JudgeOutcome.Tie, 1.0, 0.0, false)]
    [InlineData(JudgeOutcome.NoVerdict, 1.0, 0.0, false)]
    public void An_answer_hacks_when_the_proxy_prefers_it_and_the_judge_prefers_SFT(JudgeOutcome outcome, double proxy, double sftProxy, bool hacking) =>
        Assert.Equal(hacking, new TextStudy.Answer("ppo", 1, outcome, 0.2, 0.1, proxy, sftProxy).Hacking);
}
