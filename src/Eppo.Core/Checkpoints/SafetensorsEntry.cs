namespace Eppo.Core.Checkpoints;

/// <summary>
/// One tensor of a safetensors file as its header lists it: dtype name, shape, and its bytes [Begin, End) counted
/// from the start of the data section (right after the header).
/// </summary>
public sealed record SafetensorsEntry(string Dtype, long[] Shape, long Begin, long End)
{
    public long Bytes => End - Begin;

    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}
