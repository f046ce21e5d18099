using System.Text.Json.Nodes;
using Eppo.Core.Checkpoints;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Checkpoints;

/// <summary>
/// The one safetensors writer and reader: every dtype against an independent reader (plain Python: struct, json and
/// torch.frombuffer), segments against the streamed file, dtype conversion on read against PyTorch's own, and the
/// refusal of NaN / Inf naming the file and the tensor.
/// </summary>
public sealed class SafetensorsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-safetensors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Parses the format by hand: u64 LE header length, JSON header, raw little-endian bytes.</summary>
    const string PythonReader = """
        import struct
        DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64,
                  "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
        def read(path):
            with open(path, "rb") as f: data = f.read()
            (n,) = struct.unpack("<Q", data[:8])
            raw = data[8:8 + n]; body = data[8 + n:]
            header = json.loads(raw)
            tensors = {}
            for name, e in header.items():
                if name == "__metadata__": continue
                s, t = e["data_offsets"]
                d = DTYPES[e["dtype"]]
                x = torch.frombuffer(bytearray(body[s:t]), dtype=d) if t > s else torch.empty(0, dtype=d)
                tensors[name] = (e, x.reshape(e["shape"]))
            spans = sorted((e["data_offsets"][0], e["data_offsets"][1]) for e, _ in tensors.values())
            gapless = all(a[1] == b[0] for a, b in zip(spans, spans[1:])) and (not spans or (spans[0][0] == 0 and spans[-1][1] == len(body)))
            return header, tensors, {"header_length": n, "padded": raw.decode("utf-8").rstrip(" ").endswith("}"), "gapless": gapless}
        """;

    static Dictionary<string, Tensor> EveryDtype()
    {
        manual_seed(7);
        return new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(new[] { 1.5f, -2.25f, 3e-8f, 1e30f, 0f, -0f }, [2, 3]),
            ["f16"] = tensor(new[] { 1.5f, -2.25f, 0.000123f, 65504f, 0f, -1f }, [3, 2]).to_type(ScalarType.Float16),
            ["bf16"] = randn(4, 5).to_type(ScalarType.BFloat16),
            ["f64"] = tensor(new[] { Math.PI, -1e300, 5e-324 }),
            ["i64"] = tensor(new[] { long.MaxValue, long.MinValue, 0L, -7L }, [2, 2]),
            ["i32"] = tensor(new[] { int.MinValue, 42, int.MaxValue }),
            ["i16"] = tensor(new short[] { short.MinValue, -1, short.MaxValue }),
            ["i8"] = tensor(new sbyte[] { -128, 127, 0 }),
            ["u8"] = tensor(new byte[] { 0, 255, 7 }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["scalar"] = tensor(2.5f),
            ["empty"] = zeros(0, 4),
            ["cube"] = randn(2, 2, 2),
            ["transposed"] = arange(6, ScalarType.Float32).reshape(2, 3).t(),  // a non-contiguous view: written in its logical order
        };
    }

    static byte[] Bytes(Tensor t) => t.contiguous().cpu().bytes.ToArray();

    static T[] Values<T>(Tensor t) where T : unmanaged => t.numel() == 0 ? [] : t.contiguous().data<T>().ToArray();

    [Fact]
    public void EveryDtypeRoundTripsThroughAnIndependentReader()
    {
        var tensors = EveryDtype();
        var path = Path.Combine(dir, "all.safetensors");
        var plan = SafetensorsWriter.Plan(tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ok" });
        using (var file = File.Create(path)) plan.WriteTo(file);
        Assert.Equal(plan.TotalBytes, new FileInfo(path).Length);

        var result = PyTorchOracle.Run(PythonReader + """

            header, tensors, layout = read(inp["path"])
            out.update(layout)
            out["metadata"] = header.get("__metadata__")
            out["tensors"] = {name: {"dtype": e["dtype"], "shape": list(x.shape),
                                     "values": (x.double() if x.is_floating_point() else x).flatten().tolist()}
                              for name, (e, x) in tensors.items()}
            """, new { path });

        Assert.Equal(0, result["header_length"]!.GetValue<long>() % 8);   // the data starts 8-byte aligned
        Assert.True(result["padded"]!.GetValue<bool>());
        Assert.True(result["gapless"]!.GetValue<bool>());
        Assert.Equal("pt", result["metadata"]!["format"]!.GetValue<string>());
        Assert.Equal("ünïcode ok", result["metadata"]!["note"]!.GetValue<string>());
        var parsed = result["tensors"]!.AsObject();
        Assert.Equal(tensors.Keys.Order(), parsed.Select(kv => kv.Key).Order());
        var reread = SafetensorsFile.Open(path);
        Assert.Equal("pt", reread.Metadata["format"]);
        foreach (var (name, value) in tensors)
        {
            var entry = parsed[name]!;
            Assert.Equal(SafetensorsDtype.NameOf(value.dtype), entry["dtype"]!.GetValue<string>());
            Assert.Equal(value.shape, entry["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray());
            var values = entry["values"]!.AsArray();
            if (value.is_floating_point())
                Assert.Equal(Values<double>(value.to_type(ScalarType.Float64)), values.Select(v => v!.GetValue<double>()).ToArray());
            else if (value.dtype == ScalarType.Bool)
                Assert.Equal(Values<bool>(value), values.Select(v => v!.GetValue<bool>()).ToArray());
            else
                Assert.Equal(Values<long>(value.to_type(ScalarType.Int64)), values.Select(v => v!.GetValue<long>()).ToArray());

            // Our reader: the stored dtype, bit for bit.
            using var back = reread.Read(name);
            Assert.Equal(value.dtype, back.dtype);
            Assert.Equal(value.shape, back.shape);
            Assert.Equal(Bytes(value), Bytes(back));
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void SegmentsConcatenatedAreTheStreamedFile(int maxBytes)
    {
        var plan = SafetensorsWriter.Plan(EveryDtype());
        using var stream = new MemoryStream();
        plan.WriteTo(stream);
        var file = stream.ToArray();
        Assert.Equal(plan.TotalBytes, file.Length);
        Assert.Equal(file, plan.ToArray());
        Assert.Equal(file[..plan.HeaderBytes], plan.Header());
        Assert.Equal(0, plan.HeaderBytes % 8);

        var segments = plan.Segments(maxBytes).ToList();
        Assert.Equal(file, segments.SelectMany(s => s.Bytes).ToArray());
        var offset = 0L;
        foreach (var segment in segments)
        {
            Assert.Equal(offset, segment.Offset);
            Assert.InRange(segment.Bytes.Length, 1, maxBytes);
            if (segment.Tensor is { } name)  // a piece never spans two tensors
            {
                var entry = plan.Entries[name];
                Assert.InRange(segment.Offset, plan.HeaderBytes + entry.Begin, plan.HeaderBytes + entry.End - segment.Bytes.Length);
            }
            else Assert.True(segment.Offset + segment.Bytes.Length <= plan.HeaderBytes);
            offset += segment.Bytes.Length;
        }
        Assert.Equal(plan.Names.Where(n => plan.Entries[n].Bytes > 0), segments.Where(s => s.Tensor is not null).Select(s => s.Tensor!).Distinct());
        foreach (var name in plan.Names)
        {
            var entry = plan.Entries[name];
            Assert.Equal(file[(int)(plan.HeaderBytes + entry.Begin)..(int)(plan.HeaderBytes + entry.End)], plan.TensorBytes(name));
        }
    }

    [Fact]
    public void OneTensorsBytesReadOnTheirOwn()
    {
        var tensors = EveryDtype();
        var plan = SafetensorsWriter.Plan(tensors);
        foreach (var (name, value) in tensors)
        {
            var alone = SafetensorsFile.OfTensor(name, plan.Entries[name], plan.TensorBytes(name), $"policy version 2, tensor {name}");
            using var destination = empty(value.shape, value.dtype);
            alone.ReadInto(name, destination);
            Assert.Equal(Bytes(value), Bytes(destination));
        }
        Assert.Equal("piece: tensor 'f32' has 20 bytes for shape [2, 3] of F32",
            Assert.Throws<EppoException>(() => SafetensorsFile.OfTensor("f32", plan.Entries["f32"], plan.TensorBytes("f32")[4..], "piece")).Message);
    }

    [Fact]
    public void Fp32ReadIntoBf16RoundsAsPyTorchDoes()
    {
        manual_seed(3);
        // Halfway cases (to even: down and up), just above halfway, subnormals, the largest finite BF16, and normals.
        int[] special = [0x3F808000, 0x3F818000, 0x3F80FFFF, 0x3F807FFF, 0x00000001, 0x00400000, unchecked((int)0x80000000), 0x7F7F0000, 0x7F7F7FFF, unchecked((int)0xBF808001)];
        var values = special.Select(BitConverter.Int32BitsToSingle).Concat(randn(4000).data<float>().ToArray()).ToArray();
        var path = Path.Combine(dir, "f32.safetensors");
        using (var source = tensor(values, [values.Length / 10, 10]))
        using (var file = File.Create(path))
            SafetensorsWriter.Plan([("w", source)]).WriteTo(file);

        using var destination = empty([values.Length / 10, 10], ScalarType.BFloat16);
        SafetensorsFile.Open(path).ReadInto("w", destination);
        var ours = Bits16(destination);
        var theirs = PyTorchOracle.Run(PythonReader + """

            _, tensors, _ = read(inp["path"])
            out["bits"] = tensors["w"][1].to(torch.bfloat16).view(torch.int16).flatten().tolist()
            """, new { path })["bits"]!.AsArray().Select(b => (short)b!.GetValue<int>()).ToArray();
        Assert.Equal(theirs, ours);
        // Control: truncation (the upper half of each float) differs, so the comparison can fail.
        Assert.NotEqual(values.Select(v => (short)(BitConverter.SingleToInt32Bits(v) >> 16)).ToArray(), ours);
    }

    static short[] Bits16(Tensor t) => Bytes(t).Chunk(2).Select(b => BitConverter.ToInt16(b)).ToArray();

    [Fact]
    public void F16AndBf16FilesReadIntoBf16KeepTheirBits()
    {
        manual_seed(5);
        var path = Path.Combine(dir, "half.safetensors");
        var plan = SafetensorsWriter.Plan([("b", randn(16, 8).to_type(ScalarType.BFloat16)), ("h", randn(16, 8).to_type(ScalarType.Float16))]);
        using (var file = File.Create(path)) plan.WriteTo(file);
        var reader = SafetensorsFile.Open(path);

        // BF16 into BF16: the file's bytes, untouched (the raw path, and the converting path for a transposed read).
        using var same = empty([16, 8], ScalarType.BFloat16);
        reader.ReadInto("b", same);
        Assert.Equal(plan.TensorBytes("b"), Bytes(same));
        using var transposed = empty([8, 16], ScalarType.BFloat16);
        reader.ReadInto("b", transposed, transpose: true);
        Assert.Equal(plan.TensorBytes("b"), Bytes(transposed.t()));

        // F16 into BF16: PyTorch's conversion, bit for bit; F16 and BF16 into F32: exact.
        using var fromHalf = empty([16, 8], ScalarType.BFloat16);
        reader.ReadInto("h", fromHalf);
        var theirs = PyTorchOracle.Run(PythonReader + """

            _, tensors, _ = read(inp["path"])
            out["bits"] = tensors["h"][1].to(torch.bfloat16).view(torch.int16).flatten().tolist()
            """, new { path })["bits"]!.AsArray().Select(b => (short)b!.GetValue<int>()).ToArray();
        Assert.Equal(theirs, Bits16(fromHalf));
        using var wide = empty([16, 8], ScalarType.Float32);
        reader.ReadInto("b", wide);
        Assert.Equal(Bits16(same).Select(b => b << 16).ToArray(), Bytes(wide).Chunk(4).Select(b => BitConverter.ToInt32(b)).ToArray());
        reader.ReadInto("h", wide);
        Assert.Equal(reader.Read("h").data<Half>().ToArray().Select(h => (float)h).ToArray(), wide.data<float>().ToArray());
    }

    [Fact]
    public void FileBytesAndStreamReadAlike()
    {
        var tensors = EveryDtype();
        var plan = SafetensorsWriter.Plan(tensors);
        var bytes = plan.ToArray();
        var path = Path.Combine(dir, "same.safetensors");
        File.WriteAllBytes(path, bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        foreach (var reader in new[] { SafetensorsFile.Open(path), SafetensorsFile.FromBytes(bytes, "policy version 3"), SafetensorsFile.FromStream(stream, "a stream") })
            foreach (var (name, value) in tensors)
            {
                using var destination = empty(value.shape, value.dtype);
                reader.ReadInto(name, destination);
                Assert.Equal(Bytes(value), Bytes(destination));
            }
        // The transpose option: a stored [3, 2] read into [2, 3].
        using var back = empty([2, 3], ScalarType.Float32);
        SafetensorsFile.FromBytes(bytes, "x").ReadInto("transposed", back, transpose: true);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, back.data<float>().ToArray());
    }

    [Theory]
    [InlineData(float.NaN, "holds NaN")]
    [InlineData(float.PositiveInfinity, "holds Inf")]
    [InlineData(float.NegativeInfinity, "holds Inf")]
    public void ANonFiniteTensorIsRefusedNamingTheFileAndTheTensor(float bad, string what)
    {
        var path = Path.Combine(dir, "bad.safetensors");
        using (var weights = ones(3, 4))
        using (var fine = ones(2))
        using (var file = File.Create(path))
        {
            weights[1, 2] = tensor(bad);
            SafetensorsWriter.Plan([("fine", fine), ("model.layers.0.mlp.up_proj.weight", weights)]).WriteTo(file);
        }
        var reader = SafetensorsFile.Open(path);
        using var destination = empty(3, 4);
        Assert.Equal($"{path}: tensor 'model.layers.0.mlp.up_proj.weight' {what}",
            Assert.Throws<EppoException>(() => reader.ReadInto("model.layers.0.mlp.up_proj.weight", destination)).Message);
        using var half = empty([3, 4], ScalarType.BFloat16);
        Assert.Contains(what, Assert.Throws<EppoException>(() => reader.ReadInto("model.layers.0.mlp.up_proj.weight", half)).Message);
        Assert.Contains(what, Assert.Throws<EppoException>(() => reader.Read("model.layers.0.mlp.up_proj.weight")).Message);
        using var other = empty(2);
        reader.ReadInto("fine", other);  // the check is per tensor
    }

    [Fact]
    public void AValueBeyondTheDestinationsRangeIsNamedAsSuch()
    {
        var bytes = SafetensorsWriter.Plan([("w", tensor(new[] { 1f, 1e6f }))]).ToArray();
        using var half = empty([2], ScalarType.Float16);
        var message = Assert.Throws<EppoException>(() => SafetensorsFile.FromBytes(bytes, "weights").ReadInto("w", half)).Message;
        Assert.Equal("weights: tensor 'w' holds values beyond the range of Float16 (stored as F32)", message);
    }

    [Fact]
    public void BadFilesAreOneLineNamingTheSource()
    {
        var bytes = SafetensorsWriter.Plan([("w", ones(4, 4)), ("n", tensor(new[] { 1L, 2L }))]).ToArray();
        string Refused(byte[] file, Action<SafetensorsFile>? use = null) => Assert.ThrowsAny<EppoException>(() =>
        {
            var reader = SafetensorsFile.FromBytes(file, "src");
            use?.Invoke(reader);
        }).Message;

        Assert.StartsWith("src: not a safetensors file", Refused([1, 2, 3]));
        Assert.StartsWith("src: tensor 'n' points outside the file", Refused(bytes[..^4]));
        var header = System.Text.Encoding.UTF8.GetBytes("[1, 2]  ");
        Assert.StartsWith("src: the safetensors header is not a JSON object", Refused([.. BitConverter.GetBytes((long)header.Length), .. header]));
        var odd = System.Text.Encoding.UTF8.GetBytes("""{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""");
        Assert.Equal("src: tensor 'w' is stored as F8_E4M3; EppoOrleans reads F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL",
            Refused([.. BitConverter.GetBytes((long)odd.Length), .. odd, 0, 0], f => f.Read("w")));
        Assert.Equal("src: no tensor 'x'", Refused(bytes, f => f.Read("x")));
        using var wrong = empty(4, 5);
        Assert.Equal("src: tensor 'w' has shape [4, 4], the destination [4, 5]", Refused(bytes, f => f.ReadInto("w", wrong)));
        Assert.Contains("'w' is listed twice", Assert.Throws<EppoException>(() => SafetensorsWriter.Plan([("w", ones(1)), ("w", ones(1))])).Message);
        Assert.Contains("ComplexFloat32", Assert.Throws<EppoException>(() => SafetensorsWriter.Plan([("c", zeros(2, ScalarType.ComplexFloat32))])).Message);
    }
}
