using LaMo.Motion;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class InterpretabilityMapsTests
{
    [Fact]
    public void PeakFrame_IsLargestBulkMotion_AndDriftMapMatchesDefinition()
    {
        using var scope = NewDisposeScope();
        manual_seed(31);
        var z = randn([5, 4, 6, 7]) * 0.01f;
        // A bulk shift between frames 2 and 3 along channel 1, stronger on the left half.
        z[3..] += ones([2, 4, 6, 7]) * tensor(new[] { 0f, 2f, 0f, 0f }).view(1, 4, 1, 1);
        z[3.., 1, .., ..3] += 1f;
        var r = InterpretabilityMaps.Compute(MotionLossHelpers.Prior(), z, randn(32));
        Assert.Equal(2, r.PeakFrame);
        Assert.Equal([4L], r.BulkMotionNorms.shape);
        Assert.Equal([6L, 7L], r.DriftMap.shape);

        var d = z[3] - z[2];
        var mu = d.mean([-2L, -1L]);
        double expected = Math.Abs((d[.., 4, 1] * mu).sum().item<float>()) / mu.norm().item<float>();
        Assert.Equal(expected, r.DriftMap[4, 1].item<float>(), 4);
        Assert.True(r.DriftMap[0, 0].item<float>() > r.DriftMap[0, 6].item<float>());   // left half moves more
    }

    [Fact]
    public void FieldMap_IsZeroForFreshPrior_AndMatchesDefinitionForTrainedOne()
    {
        using var scope = NewDisposeScope();
        manual_seed(32);
        var z = randn([4, 4, 5, 5]);
        var fresh = new MotionPrior(MotionPriorConfig.Tiny);
        Assert.Equal(0f, InterpretabilityMaps.FieldMap(fresh, z, 1, null).abs().max().item<float>());

        var prior = MotionLossHelpers.Prior();
        var p = randn(1, 32);
        var map = InterpretabilityMaps.FieldMap(prior, z, 1, p);
        Tensor diff;
        using (no_grad()) diff = prior.forward(z[1].unsqueeze(0), p) - prior.forward(z.mean([0L], keepdim: true), p);
        double expected = Math.Sqrt((diff[0, .., 2, 3].pow(2)).sum().item<float>());
        Assert.Equal(expected, map[2, 3].item<float>(), 4);
        Assert.True(map.max().item<float>() > 0);
    }

    [Fact]
    public void Overlay_WritesPngOfFrameSize_HotterWhereMapIsHigh()
    {
        using var scope = NewDisposeScope();
        var map = zeros(4, 4);
        map[0, 0] = 1f;
        var frame = zeros(3, 32, 32);                                    // mid-grey in [−1, 1]
        var path = Path.Combine(Path.GetTempPath(), $"lamo_overlay_{Guid.NewGuid():N}.png");
        try
        {
            HeatmapOverlay.WritePng(path, map, frame);
            using var bmp = SKBitmap.Decode(path);
            Assert.Equal(32, bmp.Width);
            Assert.Equal(32, bmp.Height);
            var hot = bmp.GetPixel(0, 0);
            var cold = bmp.GetPixel(31, 31);
            Assert.Equal(128, cold.Red);                                 // untouched grey: (0 + 1)·127.5 rounded
            Assert.NotEqual(cold, hot);
            Assert.True(hot.Red > hot.Blue);
        }
        finally { File.Delete(path); }
        Assert.Throws<ArgumentException>(() => HeatmapOverlay.Blend(zeros(2, 2, 2), new byte[2, 2, 3]));
    }
}

internal static class MotionLossHelpers
{
    public static MotionPrior Prior() => MotionPriorLossTests.RandomPrior();
}
