namespace Eppo.Contracts;

/// <summary>
/// A file or directory a run spec names (<see cref="RunSpec.Inputs"/>): its field, its path, and whether it is a
/// directory (a checkpoint) or one file (a dataset, a prompt list).
/// </summary>
public sealed record SpecInput(string Field, string Path, bool IsDirectory);
