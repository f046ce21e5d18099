using Eppo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"eppo-ckpt-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    sealed record TrainingMetadata(int Iteration, string Run, long[] RngState);

    static nn.Module<Tensor, Tensor> NewModel(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(("fc1", nn.Linear(4, 8)), ("act", nn.Tanh()), ("fc2", nn.Linear(8, 2)));
    }

    static optim.Optimizer NewOptimizer(string kind, nn.Module model, double lr) => kind switch
    {
        "adam" => optim.Adam(model.parameters(), lr),
        "adamw" => optim.AdamW(model.parameters(), lr, weight_decay: 0.1),
        "sgd" => optim.SGD(model.parameters(), lr, momentum: 0.9),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>Steps [from, from + count) on data that depends only on the step number.</summary>
    static void Train(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, int from, int count)
    {
        for (var step = from; step < from + count; step++)
        {
            using var scope = NewDisposeScope();
            var generator = new Generator((ulong)(1000 + step));
            var x = randn([16, 4], generator: generator);
            var y = randn([16, 2], generator: generator);
            optimizer.zero_grad();
            nn.functional.mse_loss(model.call(x), y).backward();
            optimizer.step();
        }
    }

    static byte[][] Weights(nn.Module model) => model.parameters().Select(p => p.detach().cpu().bytes.ToArray()).ToArray();

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void ResumedTrainingIsBitwiseIdentical(string optimizerKind)
    {
        var dir = Path.Combine(root, "ckpt");
        var original = NewModel(1);
        var originalOptimizer = NewOptimizer(optimizerKind, original, 0.01);
        Train(original, originalOptimizer, 0, 3);
        var metadata = new TrainingMetadata(3, "unit", [7, -1, long.MaxValue]);
        Checkpoint.Save(dir, original, originalOptimizer, metadata);

        var resumed = NewModel(2);
        var resumedOptimizer = NewOptimizer(optimizerKind, resumed, 0.5); // lr is restored from the checkpoint
        Assert.NotEqual(Weights(original), Weights(resumed));
        var loaded = Checkpoint.Load<TrainingMetadata>(dir, resumed, resumedOptimizer);
        Assert.Equal(metadata.Iteration, loaded.Iteration);
        Assert.Equal(metadata.RngState, loaded.RngState);
        Assert.Equal(Weights(original), Weights(resumed));

        // Control: same weights but a fresh optimizer state diverges, so the comparison below means something.
        var weightsOnly = NewModel(3);
        ModelWeights.Load(weightsOnly, ModelWeights.ToBytes(original));
        var freshOptimizer = NewOptimizer(optimizerKind, weightsOnly, 0.01);

        Train(original, originalOptimizer, 3, 3);
        Train(resumed, resumedOptimizer, 3, 3);
        Train(weightsOnly, freshOptimizer, 3, 3);
        Assert.Equal(Weights(original), Weights(resumed));
        Assert.NotEqual(Weights(original), Weights(weightsOnly));
    }

    [Fact]
    public void ACorruptedOrTruncatedFileIsNamed()
    {
        var dir = Path.Combine(root, "ckpt");
        var model = NewModel(1);
        var optimizer = optim.Adam(model.parameters());
        Train(model, optimizer, 0, 1);
        Checkpoint.Save(dir, model, optimizer, new { iteration = 1 });

        var modelPath = Path.Combine(dir, Checkpoint.ModelFile);
        var bytes = File.ReadAllBytes(modelPath);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(modelPath, bytes);
        var corrupt = Assert.Throws<EppoException>(() => Checkpoint.Load(dir, NewModel(2), optim.Adam(NewModel(2).parameters())));
        Assert.Contains("'model.safetensors'", corrupt.Message);
        Assert.Contains("SHA-256", corrupt.Message);

        Checkpoint.Save(dir, model, optimizer, new { iteration = 1 }); // overwriting an existing checkpoint works
        Checkpoint.Verify(dir);
        var optimizerPath = Path.Combine(dir, Checkpoint.OptimizerFile);
        File.WriteAllBytes(optimizerPath, File.ReadAllBytes(optimizerPath)[..100]);
        var truncated = Assert.Throws<EppoException>(() => Checkpoint.Load(dir, NewModel(2)));
        Assert.Contains("'optimizer.safetensors'", truncated.Message);

        File.Delete(Path.Combine(dir, Checkpoint.ManifestFile));
        Assert.Contains("incomplete", Assert.Throws<EppoException>(() => Checkpoint.Load(dir, NewModel(2))).Message);
        Assert.Contains("does not exist", Assert.Throws<EppoException>(() => Checkpoint.Verify(Path.Combine(root, "none"))).Message);
        Assert.Empty(Directory.GetDirectories(root, "*.tmp-*")); // no temp directory left behind
    }

    [Fact]
    public void ACheckpointWhoseWeightsHoldNaNIsRefusedNamingTheFileAndTensor()
    {
        var dir = Path.Combine(root, "nan");
        var model = NewModel(1);
        using (no_grad()) model.state_dict()["fc2.weight"][1, 3] = tensor(float.NaN);
        Checkpoint.Save(dir, model, null, new { iteration = 1 });  // saved as it is: the hashes match
        var message = Assert.Throws<EppoException>(() => Checkpoint.Load(dir, NewModel(2))).Message;
        Assert.Equal($"{Path.Combine(dir, Checkpoint.ModelFile)}: tensor 'fc2.weight' holds NaN", message);
        // The same weights as policy bytes are refused too.
        Assert.Equal("policy version 4: tensor 'fc2.weight' holds NaN",
            Assert.Throws<EppoException>(() => ModelWeights.Load(NewModel(2), ModelWeights.ToBytes(model), "policy version 4")).Message);
    }

    [Fact]
    public void LoadingAnOptimizerFromAWeightsOnlyCheckpointFails()
    {
        var dir = Path.Combine(root, "weights-only");
        Checkpoint.Save(dir, NewModel(1), null, new { note = "no optimizer" });
        var model = NewModel(2);
        Assert.Contains("no optimizer.safetensors", Assert.Throws<EppoException>(() => Checkpoint.Load(dir, model, optim.Adam(model.parameters()))).Message);
        Assert.Contains("no optimizer", Checkpoint.Load(dir, model));
    }

    [Fact]
    public void WeightsRoundTripAsBytes()
    {
        var source = NewModel(1);
        var bytes = ModelWeights.ToBytes(source);
        Assert.Equal(bytes, ModelWeights.ToBytes(source)); // deterministic: same weights, same bytes
        var target = NewModel(2);
        ModelWeights.Load(target, bytes);
        Assert.Equal(Weights(source), Weights(target));
        // The bytes are a safetensors file: the header-and-offsets reader of Hugging Face checkpoints reads them too.
        var file = Path.Combine(root, "weights.safetensors");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(file, bytes);
        var reread = SafetensorsFile.Open(file);
        foreach (var (name, tensor) in source.state_dict())
            Assert.Equal(tensor.data<float>().ToArray(), reread.ReadFloat32(name).data<float>().ToArray());

        var wrongShape = nn.Sequential(("fc1", nn.Linear(4, 8)), ("act", nn.Tanh()), ("fc2", nn.Linear(8, 3)));
        Assert.Contains("fc2.weight", Assert.Throws<EppoException>(() => ModelWeights.Load(wrongShape, bytes)).Message);
        var wrongKeys = nn.Sequential(("first", nn.Linear(4, 8)));
        Assert.Contains("missing [first.weight", Assert.Throws<EppoException>(() => ModelWeights.Load(wrongKeys, bytes)).Message);
        Assert.Throws<EppoException>(() => ModelWeights.Load(target, [1, 2, 3, 4, 5, 6, 7, 8, 9]));
    }

    [Fact]
    public void PyTorchReadsTheSafetensorsFiles()
    {
        var dir = Path.Combine(root, "ckpt");
        var model = NewModel(1);
        var optimizer = optim.Adam(model.parameters(), 0.01);
        Train(model, optimizer, 0, 2);
        Checkpoint.Save(dir, model, optimizer, new { iteration = 2 });

        // No safetensors package for Python here: parse the format by hand (u64 LE header length, JSON, raw bytes).
        var result = PyTorchOracle.Run("""
            import struct
            def read(path):
                with open(path, "rb") as f: data = f.read()
                (n,) = struct.unpack("<Q", data[:8])
                header = json.loads(data[8:8 + n]); body = data[8 + n:]
                dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
                res = {}
                for name, e in header.items():
                    if name == "__metadata__": continue
                    s, t = e["data_offsets"]
                    x = torch.frombuffer(bytearray(body[s:t]), dtype=dtypes[e["dtype"]]).reshape(e["shape"])
                    res[name] = {"dtype": e["dtype"], "shape": list(x.shape), "values": x.flatten().tolist()}
                return res
            out["model"] = read(inp["model"]); out["optimizer"] = read(inp["optimizer"])
            """, new { model = Path.Combine(dir, Checkpoint.ModelFile), optimizer = Path.Combine(dir, Checkpoint.OptimizerFile) });

        var parsedModel = result["model"]!.AsObject();
        Assert.Equal(model.state_dict().Keys.Order(), parsedModel.Select(kv => kv.Key).Order());
        foreach (var (name, tensor) in model.state_dict())
        {
            var entry = parsedModel[name]!;
            Assert.Equal("F32", entry["dtype"]!.GetValue<string>());
            Assert.Equal(tensor.shape, entry["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray());
            Assert.Equal(tensor.data<float>().ToArray(), entry["values"]!.Doubles().Select(v => (float)v).ToArray());
        }

        var parsedOptimizer = result["optimizer"]!.AsObject();
        var parameters = model.parameters().ToList();
        for (var i = 0; i < parameters.Count; i++)
        {
            Assert.Equal(2.0, parsedOptimizer[$"state.{i}.step"]!["values"]!.Doubles().Single());
            Assert.Equal("I64", parsedOptimizer[$"state.{i}.step"]!["dtype"]!.GetValue<string>());
            Assert.Equal(parameters[i].shape, parsedOptimizer[$"state.{i}.exp_avg"]!["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray());
            Assert.Contains(parsedOptimizer[$"state.{i}.exp_avg_sq"]!["values"]!.Doubles(), v => v > 0);
        }
        Assert.Equal(0.01, parsedOptimizer["param_groups.0.lr"]!["values"]!.Doubles().Single(), 12);
    }
}
