using TorchSharp.Modules;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// An optimizer's state as named tensors for a safetensors file. Adam and AdamW are written tensor by tensor,
/// PyTorch-style, parameter i in optimizer.parameters() order: state.{i}.exp_avg, state.{i}.exp_avg_sq,
/// state.{i}.max_exp_avg_sq (AMSGrad only), state.{i}.step (int64 scalar); plus param_groups.{g}.lr and .initial_lr
/// (F64 scalars, as a scheduler leaves them). Other optimizers: TorchSharp's own state_dict bytes as one U8 tensor
/// "torchsharp_state". The remaining hyperparameters (betas, eps, weight decay) come from the caller's config.
/// </summary>
internal static class OptimizerStateFile
{
    const string OpaqueKey = "torchsharp_state";

    public static void Write(optim.Optimizer optimizer, Stream destination)
    {
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>();
        var groupIndex = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            tensors.Add(($"param_groups.{groupIndex}.lr", tensor(group.LearningRate, ScalarType.Float64)));
            tensors.Add(($"param_groups.{groupIndex}.initial_lr", tensor(group.InitialLearningRate, ScalarType.Float64)));
            groupIndex++;
        }
        var states = AdamStates(optimizer);
        if (states is null)
        {
            var helper = optimizer as OptimizerHelper
                ?? throw new EppoException($"cannot checkpoint optimizer type {optimizer.GetType().Name}: it exposes no state dictionary");
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) helper.save_state_dict(writer);
            tensors.Add((OpaqueKey, tensor(buffer.ToArray(), ScalarType.Byte)));
        }
        else
        {
            for (var i = 0; i < states.Count; i++)
            {
                var (step, expAvg, expAvgSq, maxExpAvgSq) = states[i];
                tensors.Add(($"state.{i}.step", tensor(step, ScalarType.Int64)));
                tensors.Add(($"state.{i}.exp_avg", expAvg));
                tensors.Add(($"state.{i}.exp_avg_sq", expAvgSq));
                if (maxExpAvgSq is not null) tensors.Add(($"state.{i}.max_exp_avg_sq", maxExpAvgSq));
            }
        }
        SafetensorsWriter.Plan(tensors).WriteTo(destination);  // each state tensor copied to the CPU just for its write
    }

    public static void Read(optim.Optimizer optimizer, SafetensorsFile file)
    {
        var opaque = ReadTensors(optimizer, file);
        if (opaque is null) return;
        // Outside any dispose scope: the optimizer keeps the tensors it creates while loading.
        var helper = optimizer as OptimizerHelper ?? throw new EppoException($"{file.Source}: opaque state cannot be loaded into {optimizer.GetType().Name}");
        using var reader = new BinaryReader(new MemoryStream(opaque));
        helper.load_state_dict(reader);
    }

    /// <summary>Restores learning rates and Adam state in place; returns the opaque state bytes for other optimizers.</summary>
    static byte[]? ReadTensors(optim.Optimizer optimizer, SafetensorsFile file)
    {
        using var scope = NewDisposeScope();
        var name = file.Source;
        var entries = file.Entries;
        SafetensorsEntry Entry(string key) => entries.TryGetValue(key, out var e) ? e : throw new EppoException($"{name}: missing tensor '{key}' (saved by a different optimizer or model?)");
        Tensor Get(string key)
        {
            Entry(key);
            return file.Read(key);
        }

        var groups = optimizer.ParamGroups.ToList();
        if (entries.ContainsKey($"param_groups.{groups.Count}.lr"))
            throw new EppoException($"{name}: has more parameter groups than the optimizer ({groups.Count})");
        for (var g = 0; g < groups.Count; g++)
        {
            groups[g].LearningRate = Get($"param_groups.{g}.lr").item<double>();
            groups[g].InitialLearningRate = Get($"param_groups.{g}.initial_lr").item<double>();
        }

        if (entries.ContainsKey(OpaqueKey)) return file.Read(OpaqueKey).data<byte>().ToArray();

        var parameters = optimizer.parameters().ToList();
        if (entries.ContainsKey($"state.{parameters.Count}.step"))
            throw new EppoException($"{name}: holds state for more parameters than the optimizer has ({parameters.Count})");
        var liveStates = LiveAdamStates(optimizer)
            ?? throw new EppoException($"{name}: holds Adam state, but the optimizer is {optimizer.GetType().Name}");
        using var noGrad = no_grad();
        for (var i = 0; i < liveStates.Count; i++)
        {
            var state = liveStates[i];
            var expAvg = Entry($"state.{i}.exp_avg");
            if (!expAvg.Shape.SequenceEqual(parameters[i].shape))
                throw new EppoException($"{name}: state.{i}.exp_avg has shape [{string.Join(", ", expAvg.Shape)}], parameter {i} has [{string.Join(", ", parameters[i].shape)}]");
            state.SetStep(Get($"state.{i}.step").item<long>());
            file.ReadInto($"state.{i}.exp_avg", state.ExpAvg);
            Entry($"state.{i}.exp_avg_sq");
            file.ReadInto($"state.{i}.exp_avg_sq", state.ExpAvgSq);
            if (state.MaxExpAvgSq is not null && entries.ContainsKey($"state.{i}.max_exp_avg_sq")) file.ReadInto($"state.{i}.max_exp_avg_sq", state.MaxExpAvgSq);
        }
        return null;
    }

    static List<(long Step, Tensor ExpAvg, Tensor ExpAvgSq, Tensor? MaxExpAvgSq)>? AdamStates(optim.Optimizer optimizer) =>
        LiveAdamStates(optimizer)?.Select(s => (s.Step, s.ExpAvg, s.ExpAvgSq, s.MaxExpAvgSq)).ToList();

    /// <summary>The optimizer's own per-parameter state objects (state_dict() hands out the live ones).</summary>
    static List<AdamLikeState>? LiveAdamStates(optim.Optimizer optimizer)
    {
        if (optimizer is not (Adam or AdamW)) return null;
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        return states.Select(s => s switch
        {
            Adam.State a => new AdamLikeState(() => a.step, v => a.step = v, a.exp_avg, a.exp_avg_sq, a.max_exp_avg_sq),
            AdamW.State w => new AdamLikeState(() => w.step, v => w.step = v, w.exp_avg, w.exp_avg_sq, w.max_exp_avg_sq),
            _ => throw new EppoException($"unexpected optimizer state type {s.GetType().Name}"),
        }).ToList();
    }

    sealed record AdamLikeState(Func<long> GetStep, Action<long> SetStep, Tensor ExpAvg, Tensor ExpAvgSq, Tensor? MaxExpAvgSq)
    {
        public long Step => GetStep();
    }
}
