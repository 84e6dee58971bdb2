using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>Checks fp32 convolution input gradients against a float64 reference where the oneDNN fault shows
/// (<see cref="OneDnnWorkaround"/>): conv2d and conv3d, output channel counts around the ISA channel blocks (8, 16),
/// a batch above 1. Either through <see cref="SafeConv"/> (what the library computes) or LibTorch's plain call (whether
/// this CPU has the fault at all).</summary>
[HostTensors("a check of the CPU convolution kernels (lamo doctor)")]
public static class ConvNumericsCheck
{
    /// <summary>Output channel counts checked: below, at and between the AVX2 (8) and AVX-512 (16) channel blocks.</summary>
    public static readonly int[] OutChannels = [1, 4, 8, 12, 16];

    /// <summary>The operations checked.</summary>
    public enum Op { Conv2dInputGrad, Conv3dInputGrad }

    /// <summary>Largest error of the fp32 result against float64, relative to the reference's largest magnitude
    /// (+∞ for a non-finite value), for one operation and output channel count.</summary>
    public static double RelativeError(Op op, int outChannels, bool safe = true, int batch = 2, int inChannels = 6, int size = 7, long seed = 0)
    {
        using var scope = NewDisposeScope();
        using var g = new TorchSharp.torch.Generator((ulong)seed);
        bool is3d = op == Op.Conv3dInputGrad;
        long[] spatial = is3d ? [3, size, size] : [size, size];
        long[] kernel = is3d ? [3, 3, 3] : [3, 3];
        var x = randn([batch, inChannels, .. spatial], dtype: ScalarType.Float64, generator: g);
        var w = randn([outChannels, inChannels, .. kernel], dtype: ScalarType.Float64, generator: g);
        var upstream = randn([batch, outChannels, .. spatial], dtype: ScalarType.Float64, generator: g);
        var reference = InputGradient(x, w, upstream, safe);
        var fp32 = InputGradient(x.to_type(ScalarType.Float32), w.to_type(ScalarType.Float32), upstream.to_type(ScalarType.Float32), safe)
            .to_type(ScalarType.Float64);
        double err = (fp32 - reference).abs().max().item<double>();
        double scale = reference.abs().max().item<double>();
        return double.IsFinite(err) ? err / Math.Max(scale, 1e-30) : double.PositiveInfinity;
    }

    /// <summary>The largest <see cref="RelativeError"/> over every operation and <see cref="OutChannels"/>, each run
    /// <paramref name="repeats"/> times (the fault is intermittent with more than one thread).</summary>
    public static double WorstRelativeError(bool safe = true, int repeats = 3)
    {
        double worst = 0;
        for (int r = 0; r < repeats; r++)
            foreach (var op in Enum.GetValues<Op>())
                foreach (int cout in OutChannels)
                    worst = Math.Max(worst, RelativeError(op, cout, safe, seed: r));
        return worst;
    }

    /// <summary>fp32 relative error is about 1e-7 per operation; 1e-4 leaves room for accumulation order and none for
    /// the fault (errors of 1e-2 and NaN).</summary>
    public const double Tolerance = 1e-4;

    private static Tensor InputGradient(Tensor x, Tensor w, Tensor upstream, bool safe)
    {
        var input = x.detach().requires_grad_(true);
        long[] ones = Enumerable.Repeat(1L, (int)w.dim() - 2).ToArray();
        var y = safe ? SafeConv.Functional(input, w, null, ones, ones)
            : w.dim() == 5 ? nn.functional.conv3d(input, w, padding: ones) : nn.functional.conv2d(input, w, padding: ones);
        return autograd.grad([y], [input], [upstream])[0];
    }
}
