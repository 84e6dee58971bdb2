using LaMo.Diffusion.Guidance;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Guidance;

[Collection("Torch")]
public class FlowMoVarianceLossTests
{
    /// <summary>Closed-form oracle with explicit loops in double: |Δ|, p×p patch mean, population variance over frames,
    /// channel mean, max or mean over patches.</summary>
    private static double[] Oracle(double[,,,,] x, int p, FlowMoReduction reduction)
    {
        int b = x.GetLength(0), f = x.GetLength(1), c = x.GetLength(2), h = x.GetLength(3), w = x.GetLength(4);
        var result = new double[b];
        for (int bi = 0; bi < b; bi++)
        {
            var patches = new List<double>();
            for (int ph = 0; ph < h / p; ph++)
                for (int pw = 0; pw < w / p; pw++)
                {
                    double channelSum = 0;
                    for (int ci = 0; ci < c; ci++)
                    {
                        var d = new double[f - 1];
                        for (int fi = 0; fi < f - 1; fi++)
                        {
                            double s = 0;
                            for (int i = 0; i < p; i++)
                                for (int j = 0; j < p; j++)
                                    s += Math.Abs(x[bi, fi + 1, ci, ph * p + i, pw * p + j] - x[bi, fi, ci, ph * p + i, pw * p + j]);
                            d[fi] = s / (p * p);
                        }
                        double mean = d.Average();
                        channelSum += d.Sum(v => (v - mean) * (v - mean)) / d.Length;
                    }
                    patches.Add(channelSum / c);
                }
            result[bi] = reduction == FlowMoReduction.Max ? patches.Max() : patches.Average();
        }
        return result;
    }

    [Theory]
    [InlineData(1, FlowMoReduction.Max)]
    [InlineData(1, FlowMoReduction.Mean)]
    [InlineData(2, FlowMoReduction.Max)]
    [InlineData(2, FlowMoReduction.Mean)]
    public void VarianceLoss_MatchesLoopOracle(int patch, FlowMoReduction reduction)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var x = randn([2, 5, 3, 4, 6], dtype: ScalarType.Float64);
        var arr = new double[2, 5, 3, 4, 6];
        var flat = x.contiguous().data<double>().ToArray();
        Buffer.BlockCopy(flat, 0, arr, 0, flat.Length * sizeof(double));
        var expected = Oracle(arr, patch, reduction);
        var actual = FlowMoGuidance.VarianceLoss(x, patch, reduction);
        Assert.Equal(new long[] { 2 }, actual.shape);
        for (int b = 0; b < 2; b++) Assert.Equal(expected[b], actual[b].item<double>(), 12);
    }

    [Fact]
    public void VarianceLoss_ConstantMotion_IsZero()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var frame = randn([1, 1, 2, 4, 4], dtype: ScalarType.Float64);
        var step = randn([1, 1, 2, 4, 4], dtype: ScalarType.Float64);
        var x = cat([frame, frame + step, frame + 2 * step, frame + 3 * step], 1);   // |Δ| the same every frame
        Assert.Equal(0.0, FlowMoGuidance.VarianceLoss(x).item<double>(), 12);
    }

    [Theory]
    [InlineData(1, FlowMoReduction.Max)]
    [InlineData(2, FlowMoReduction.Mean)]
    public void VarianceLoss_Gradient_MatchesFloat64FiniteDifferences(int patch, FlowMoReduction reduction)
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var x = randn([1, 4, 2, 4, 4], dtype: ScalarType.Float64).requires_grad_(true);
        var grad = autograd.grad([FlowMoGuidance.VarianceLoss(x, patch, reduction).sum()], [x])[0].flatten();
        var flat = x.detach().view(-1);
        int checkedNonZero = 0;
        for (long i = 0; i < flat.shape[0]; i++)
        {
            double fd = FiniteDifference.Central(flat, i, () => FlowMoGuidance.VarianceLoss(x, patch, reduction).sum().item<double>()), ad = grad[i].item<double>();
            Assert.True(Math.Abs(fd - ad) <= 1e-7 + 1e-5 * Math.Abs(fd), $"x[{i}]: fd {fd} vs autograd {ad}");
            if (Math.Abs(ad) > 1e-6) checkedNonZero++;
        }
        Assert.True(checkedNonZero >= 3, "too few non-zero gradient entries checked");
    }

    [Fact]
    public void VarianceLoss_BadShapes_ThrowArgumentException()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => FlowMoGuidance.VarianceLoss(zeros([2, 3, 4, 4])));
        Assert.Throws<ArgumentException>(() => FlowMoGuidance.VarianceLoss(zeros([1, 2, 3, 4, 4])));
        Assert.Throws<ArgumentException>(() => FlowMoGuidance.VarianceLoss(zeros([1, 3, 3, 5, 4]), patchSize: 2));
    }
}
