using Eppo.Core.Checkpoints;

namespace Eppo.Core.Planning;

/// <summary>One tensor of a module's state dict as the plan counts it: name, shape, dtype; no data.</summary>
public sealed record TensorShape(string Name, long[] Shape, ScalarType Dtype)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public long Bytes => Elements * SafetensorsDtype.SizeOf(Dtype);
}
