using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Element-wise comparison of two tensors with a report of the worst element.</summary>
public static class TensorComparison
{
    /// <summary>Relative part of the tolerance rule |ours − ref| ≤ atol + rtol·|ref|.</summary>
    public const double DefaultRtol = 1e-5;

    /// <summary>Compares <paramref name="actual"/> with <paramref name="reference"/> in float64.</summary>
    public static VerifyResult Compare(string caseName, string output, Tensor actual, Tensor reference, double atol, double rtol = DefaultRtol)
    {
        if (!actual.shape.SequenceEqual(reference.shape))
            return new VerifyResult(caseName, output, double.PositiveInfinity, atol, false,
                $"shape [{string.Join(",", actual.shape)}] != reference [{string.Join(",", reference.shape)}]");
        using var scope = NewDisposeScope();
        var a = actual.detach().cpu().to_type(ScalarType.Float64);
        var r = reference.detach().cpu().to_type(ScalarType.Float64);
        bool integer = !reference.is_floating_point();
        if (integer) { atol = 0; rtol = 0; }
        if (a.NumberOfElements == 0) return new VerifyResult(caseName, output, 0, atol, true, "empty");
        // Infinities must match exactly (same sign); NaN never passes.
        var bothInf = a.isinf().logical_and(r.isinf()).logical_and(a.eq(r));
        var diff = (a - r).abs().masked_fill(bothInf, Sc(0.0));
        var bad = diff.gt(r.abs().mul(Sc(rtol)).add(Sc(atol), Sc(1))).logical_or(diff.isnan());
        var flat = diff.nan_to_num(double.PositiveInfinity).flatten();
        long worst = flat.argmax().item<long>();
        double maxAbs = flat[worst].item<double>();
        bool passed = !bad.any().item<bool>();
        string where = $"max at index [{string.Join(",", Unravel(worst, actual.shape))}]: ours {a.flatten()[worst].item<double>():G9}, reference {r.flatten()[worst].item<double>():G9}";
        return new VerifyResult(caseName, output, maxAbs, atol, passed, where);
    }

    private static long[] Unravel(long index, long[] shape)
    {
        var idx = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = index % shape[d]; index /= shape[d]; }
        return idx;
    }
}
