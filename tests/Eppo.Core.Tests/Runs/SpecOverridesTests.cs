using Eppo.Contracts;
using Eppo.Core.HackBench;

namespace Eppo.Core.Tests.Runs;

/// <summary>`--set field=value`: named as in a spec file, checked like one, a bad one refused in one line before anything runs.</summary>
public sealed class SpecOverridesTests
{
    [Fact]
    public void Fields_are_set_by_their_spec_file_names_and_bare_words_are_strings()
    {
        var spec = SpecOverrides.Apply(new RunSpec(), SpecOverrides.Parse(
            ["reward.caution_bias=0.3", "iterations=7", "method=ppo-kl", "hackbench.sft_imperfect=0.3", "energy_floor=null"]));
        Assert.Equal(0.3, spec.Reward.CautionBias);
        Assert.Equal(7, spec.Iterations);
        Assert.Equal("ppo-kl", spec.Method);
        // A section the spec left out starts from its defaults.
        Assert.Equal(new HackBenchSpec { SftImperfect = 0.3 }, spec.HackBench);
        Assert.Null(spec.EnergyFloor);
        Assert.Equal(new RunSpec().Reward.Pairs, spec.Reward.Pairs);
        Assert.Same(spec, SpecOverrides.Apply(spec, []));
    }

    [Theory]
    [InlineData("caution_bias", "expected field=value")]
    [InlineData("=3", "expected field=value")]
    public void A_malformed_assignment_is_one_line(string assignment, string says)
    {
        var e = Assert.Throws<EppoException>(() => SpecOverrides.Parse([assignment]));
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("reward.caution_bias=-1000", "field 'reward.caution_bias'")]
    [InlineData("rewrd.pairs=3", "'rewrd'")]
    [InlineData("iterations=many", "iterations")]
    [InlineData("name.first=x", "'name' is not a section")]
    public void A_bad_field_or_value_is_refused_naming_the_field(string assignment, string says)
    {
        var e = Assert.Throws<EppoException>(() => SpecOverrides.Apply(new RunSpec(), SpecOverrides.Parse([assignment])));
        Assert.Contains(says, e.Message);
        Assert.StartsWith("--set ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_hackbench_section_sets_the_sft_mix_and_its_defaults_are_the_tasks()
    {
        Assert.Equal(SftDatasetOptions.Default.ImperfectFraction, new HackBenchSpec().SftImperfect);
        Assert.Equal(SftDatasetOptions.Default.RamblingFraction, new HackBenchSpec().SftRambling);
        Assert.Equal(SftDatasetOptions.Default.BoilerplateAppendedFraction, new HackBenchSpec().SftBoilerplate);
        Assert.Equal(SftDatasetOptions.Default.CautionInsteadFraction, new HackBenchSpec().SftCaution);
        var task = HackBenchTask.Instance;
        var plain = new RunSpec { Sft = new SftSpec { Examples = 400 } };
        Assert.Equal(task.SftRows(plain), task.SftRows(plain with { HackBench = new HackBenchSpec() }));
        // All imperfect: no row is the right answer any more.
        var imperfect = task.SftRows(plain with { HackBench = new HackBenchSpec { SftImperfect = 1, SftRambling = 0, SftBoilerplate = 0, SftCaution = 0 } });
        Assert.NotEqual(task.SftRows(plain), imperfect);
        var e = Assert.Throws<EppoException>(() => (plain with { Task = "jsonl", PromptsFile = null, HackBench = new HackBenchSpec() }).Validate("spec.json"));
        Assert.Contains("field 'hackbench': only used when task is \"hackbench\"", e.Message);
    }
}
