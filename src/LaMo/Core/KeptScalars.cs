using TorchSharp;

namespace LaMo.Core;

/// <summary>Scalars for TorchSharp calls that cannot be finalised while the call is still using them. Write
/// <c>x * Sc(0.5)</c> where <c>x * 0.5</c> would do: TorchSharp turns the number into a <see cref="Scalar"/>, passes its
/// native handle and keeps no reference, so a garbage collection on another thread during the call can finalise the
/// Scalar and the call reads freed memory (c10 "Unknown scalar type", or silently a wrong number; docs/numerics.md).</summary>
/// <remarks>Each thread keeps its last <see cref="Ring"/> scalars reachable; a call uses at most three, and returns
/// before the thread makes <see cref="Ring"/> more, so every scalar outlives its call. Evicted scalars are left to the
/// finalizer (a caller may still hold one). The overloads make the same Scalar type as C#'s implicit conversion, so
/// results are bit-identical to the plain expression. A test (ScalarLifetimeTests) keeps the library free of implicit
/// conversions.</remarks>
public static class KeptScalars
{
    /// <summary>Scalars kept reachable per thread.</summary>
    public const int Ring = 64;

    [ThreadStatic] private static Scalar?[]? _ring;
    [ThreadStatic] private static int _next;

    /// <summary>A kept fp64 scalar.</summary>
    public static Scalar Sc(double value) => Keep(value.ToScalar());

    /// <summary>A kept fp32 scalar.</summary>
    public static Scalar Sc(float value) => Keep(value.ToScalar());

    /// <summary>A kept int64 scalar.</summary>
    public static Scalar Sc(long value) => Keep(value.ToScalar());

    /// <summary>A kept int32 scalar.</summary>
    public static Scalar Sc(int value) => Keep(value.ToScalar());

    /// <summary>A kept boolean scalar.</summary>
    public static Scalar Sc(bool value) => Keep(value.ToScalar());

    /// <summary>1 − t as (−t) + 1 with kept scalars: bit-identical to <c>Sc(1) - t</c>, whose rsub makes an alpha
    /// Scalar that nothing keeps.</summary>
    public static torch.Tensor OneMinus(torch.Tensor t) => t.neg().add(Sc(1.0), Sc(1));

    private static Scalar Keep(Scalar scalar)
    {
        var ring = _ring ??= new Scalar?[Ring];
        ring[_next] = scalar;
        _next = (_next + 1) % Ring;
        return scalar;
    }
}
