namespace Eppo.Core.Checkpoints;

/// <summary>
/// A piece of a planned safetensors file (<see cref="SafetensorsWriter.Segments"/>): the header when
/// <paramref name="Tensor"/> is null, else all or part of that tensor's bytes. <paramref name="Offset"/> is where the
/// piece starts in the file, so pieces written at their offsets (or concatenated in order) give the file.
/// </summary>
public sealed record SafetensorsSegment(string? Tensor, long Offset, byte[] Bytes);
