namespace Eppo.Core;

/// <summary>
/// Scalars that live as long as the process. TorchSharp 0.107 frees a Scalar in its finalizer and does not keep it
/// reachable during the native call that reads it, so a temporary one (every number passed to a tensor op, the
/// alpha = 1 hidden in Tensor.add(Tensor), the 2 in square()) can be freed by a GC on another thread while libtorch
/// still uses it. Static fields are never collected; see <see cref="ScalarSafe"/> for numbers known only at run time.
/// </summary>
internal static class Scalars
{
    /// <summary>Integral like TorchSharp's own alpha = 1 (an integral tensor rejects a floating alpha).</summary>
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();
}
