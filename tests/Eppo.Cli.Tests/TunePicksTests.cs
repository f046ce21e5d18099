using Eppo.Contracts;
using Eppo.Experiments;
using Eppo.Tests;

namespace Eppo.Cli.Tests;

/// <summary>`eppo demo --picks`: a tune run's picks change exactly their methods' specs; a file that is not one is one line naming it.</summary>
public sealed class TunePicksTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-picks-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string json)
    {
        var path = Path.Combine(dir, $"tune-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void The_full_scale_tunes_picks_change_their_methods_and_no_other()
    {
        var picks = TunePicks.Load(RepoRoot.Path("docs/results/tune-full/tune.json"));
        Assert.False(picks.Quick);
        Assert.Equal(["eppo", "ppo", "ppo-kl", "ppo-lp"], picks.ByMethod.Keys.Order());
        RunSpec Spec(string method) => DemoPlan.Specs(false, [4], [method]).Single();
        Assert.Equal(5e-5, picks.Apply(Spec("ppo")).ActorLr);
        Assert.Equal(0.2, picks.Apply(Spec("ppo-kl")).KlBeta);
        Assert.Equal(6, picks.Apply(Spec("ppo-lp")).LengthScale);
        Assert.Equal((1.0, "spread"), (picks.Apply(Spec("eppo")).Eta, picks.Apply(Spec("eppo")).EnergyScale));
        Assert.Equal(Spec("eppo-kl"), picks.Apply(Spec("eppo-kl")));      // not tuned: the paper's
        Assert.Equal(Spec("warm"), picks.Apply(Spec("warm")));
        Assert.Equal("ppo: actor_lr 5e-5; ppo-kl: kl_beta 0.2; ppo-lp: length_scale 6; eppo: η 1, spread scale", picks.Describe());
        Assert.Same(picks, picks.RequireScale(quick: false));
        Assert.Contains("full scale", Assert.Throws<EppoException>(() => picks.RequireScale(quick: true)).Message);
    }

    [Theory]
    [InlineData("[1, 2]", "no object 'picked'")]
    [InlineData("{\"quick\": false}", "no object 'picked'")]
    [InlineData("{\"picked\": {\"ppo\": \"ppo.lr5e-5\"}}", "no boolean 'quick'")]
    [InlineData("{\"quick\": true, \"picked\": {}}", "'picked' is empty")]
    [InlineData("{\"quick\": true, \"picked\": {\"ppo\": \"ppo.lr3e-3\"}}", "picked.ppo is 'ppo.lr3e-3', not a configuration of the tuning grid")]
    [InlineData("{\"quick\": true, \"picked\": {\"ppo\": 5}}", "picked.ppo is ''")]
    [InlineData("{\"quick\": true, \"picked\": {\"eppo\": \"ppo-lp.n6\"}}", "picked.eppo is 'ppo-lp.n6', a configuration of 'ppo-lp'")]
    [InlineData("{\"quick\": true, \"picked\": ", "is not JSON")]
    public void A_file_that_is_not_a_tunes_picks_is_one_line_naming_it(string json, string expected)
    {
        var path = Write(json);
        var message = Assert.Throws<EppoException>(() => TunePicks.Load(path)).Message;
        Assert.StartsWith($"--picks: {path}", message);
        Assert.Contains(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_missing_file_is_named() =>
        Assert.Contains("does not exist", Assert.Throws<EppoException>(() => TunePicks.Load(Path.Combine(dir, "nope.json"))).Message);
}
