using TorchSharp.Modules;

namespace Eppo.Core.Model;

/// <summary>
/// A lookup table "weight" (rows, dim) under nn.Embedding's state-dict name, allocated uninitialised on the default
/// device in its own dtype (the caller initialises or overwrites it). TorchSharp's Embedding first builds and
/// normal-initialises an fp32 table on the CPU: 2 GiB and seconds for Llama-3's vocabulary, even on the meta device.
/// </summary>
public sealed class EmbeddingTable : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;

    public EmbeddingTable(long rows, long dim, ScalarType dtype) : base(nameof(EmbeddingTable))
    {
        weight = new Parameter(empty(rows, dim, dtype: dtype));
        RegisterComponents();
    }

    public Tensor Weight => weight;

    /// <summary>ids (…) → rows (…, dim).</summary>
    public override Tensor forward(Tensor ids) => weight.index_select(0, ids.reshape(-1)).reshape([.. ids.shape, weight.shape[1]]);
}
