namespace Eppo.Core.Model;

/// <summary>One linear of a model (a <see cref="Projection"/>): its state-dict path, in and out features, and whether it has a bias.</summary>
public sealed record LinearShape(string Path, long In, long Out, bool Bias);
