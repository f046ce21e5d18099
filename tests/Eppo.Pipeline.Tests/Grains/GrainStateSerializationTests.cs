using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Runs;
using Eppo.Grains.Stages;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Eppo.Pipeline.Tests.Grains;

/// <summary>The azure profile stores grain state with Orleans' serializer: the run's record, its models included, round-trips exactly.</summary>
public sealed class GrainStateSerializationTests
{
    static OrleansGrainStorageSerializer Serializer()
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        services.AddEppoSerialization();
        return new OrleansGrainStorageSerializer(services.BuildServiceProvider().GetRequiredService<Serializer>());
    }

    [Fact]
    public void Run_state_with_models_round_trips()
    {
        var state = new RunGrainState
        {
            SpecJson = "{\"name\":\"x\"}",
            State = RunState.Paused,
            Iteration = 6,
            CommittedIteration = 6,
            PolicyVersion = 6,
            LastCheckpoint = "blob:run/checkpoints/iter-000006-0123abcd",
            CreatedAt = DateTimeOffset.Parse("2026-11-27T12:00:00Z"),
            Models = new PreparedModels { SftPath = "blob:models/k/sft", RewardPaths = ["blob:models/k/reward", "blob:models/k/reward-m1"], RewardHeldOutAccuracies = [0.75, 0.7] },
            HackingAlarm = true,
        };
        var serializer = Serializer();
        var back = serializer.Deserialize<RunGrainState>(serializer.Serialize(state))!;

        Assert.Equal(state.SpecJson, back.SpecJson);
        Assert.Equal(RunState.Paused, back.State);
        Assert.Equal((6, 6, 6), (back.Iteration, back.CommittedIteration, back.PolicyVersion));
        Assert.Equal(state.LastCheckpoint, back.LastCheckpoint);
        Assert.Equal(state.CreatedAt, back.CreatedAt);
        Assert.Equal(state.Models.SftPath, back.Models!.SftPath);
        Assert.Equal(state.Models.RewardPaths, back.Models.RewardPaths);
        Assert.Equal(state.Models.RewardHeldOutAccuracies, back.Models.RewardHeldOutAccuracies);
        Assert.True(back.HackingAlarm);
    }

    [Fact]
    public void Registry_state_keeps_its_runs()
    {
        var state = new RunRegistryState { RunIds = ["a", "b"] };
        var serializer = Serializer();
        var back = serializer.Deserialize<RunRegistryState>(serializer.Serialize(state))!;
        Assert.Equal(["a", "b"], back.RunIds);
    }

    [Fact]
    public void A_registry_stored_with_the_run_keepers_active_set_still_loads()
    {
        var serializer = Serializer();
        var stored = serializer.Serialize(new RegistryStateWithActiveSet { RunIds = ["a", "b"], Active = ["b"] });
        Assert.Equal(["a", "b"], serializer.Deserialize<RunRegistryState>(stored)!.RunIds);
    }
}

/// <summary>The registry's record as it was stored while it kept the set of active runs for the silos' run keeper.</summary>
[GenerateSerializer, Alias("eppo.test.RegistryStateWithActiveSet")]
public sealed class RegistryStateWithActiveSet
{
    [Id(0)] public List<string> RunIds { get; set; } = [];
    [Id(1)] public HashSet<string> Active { get; set; } = [];
}
