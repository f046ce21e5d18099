namespace Eppo.Core;

/// <summary>
/// Tensor arithmetic with numbers that is safe from TorchSharp's Scalar finalizer race (see <see cref="Scalars"/>):
/// each method owns the Scalar it creates and disposes it after the native call, which keeps it reachable until then.
/// Use these instead of the operators and overloads that take a number (x + 1, x.eq(id), x.clamp_min(0), …) and
/// Plus instead of + between tensors. A long stays an integral Scalar and a double a floating one, exactly what the
/// implicit conversions make, so results are bit-identical to the operator forms.
/// </summary>
internal static class ScalarSafe
{
    /// <summary>a + b (TorchSharp's + passes a temporary alpha = 1).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    public static Tensor Plus(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.add(scalar, Scalars.One);
    }

    public static Tensor Plus(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.add(scalar, Scalars.One);
    }

    public static Tensor Minus(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.sub(scalar);
    }

    public static Tensor Times(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul(scalar);
    }

    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.div(scalar);
    }

    /// <summary>a² as square() computes it (pow with the integral exponent 2).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Scalars.Two);

    public static Tensor ClampMin(this Tensor a, long min)
    {
        using var scalar = min.ToScalar();
        return a.clamp_min(scalar);
    }

    public static Tensor Clamp(this Tensor a, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return a.clamp(low, high);
    }

    public static Tensor EqualTo(this Tensor a, long value)
    {
        using var scalar = value.ToScalar();
        return a.eq(scalar);
    }

    public static Tensor GreaterThan(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.gt(scalar);
    }

    public static Tensor AtLeast(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.ge(scalar);
    }

    /// <summary>a with value wherever mask is true.</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, double value)
    {
        using var scalar = value.ToScalar();
        return a.masked_fill(mask, scalar);
    }

    /// <summary>In place: every element becomes value.</summary>
    public static Tensor FillWith(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.fill_(scalar);
    }

    /// <summary>In place: a *= value.</summary>
    public static Tensor MultiplyBy(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul_(scalar);
    }

    /// <summary>int64 [start, stop) on device, like arange(start, stop).</summary>
    public static Tensor Arange(long start, long stop, Device device)
    {
        using var from = start.ToScalar();
        using var to = stop.ToScalar();
        return arange(from, to, Scalars.One, ScalarType.Int64, device);
    }
}
