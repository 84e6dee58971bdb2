using LaMo.World;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.World;

public sealed class BulkMotionTests(ITestOutputHelper output)
{
    [Fact]
    public void Measure_GlobalShiftIsAllBulk_StillFramesAreZero()
    {
        // Two-frame lag over frames that brighten uniformly: every Δ equals μ, so the ratio is exactly 1.
        const int f = 5, h = 4, w = 4;
        var rgb = new byte[f * h * w * 3];
        for (var k = 0; k < f; k++) Array.Fill(rgb, (byte)(100 + 10 * k), k * h * w * 3, h * w * 3);
        var (mu, loc, ratio) = BulkMotion.Measure(rgb, f, h, w);
        Assert.Equal(1.0, ratio, 12);
        Assert.Equal(3 * Math.Pow(20 / 255.0, 2), mu, 12);
        Assert.Equal(mu, loc, 12);
        Assert.Equal(0.0, BulkMotion.Measure(new byte[f * h * w * 3], f, h, w).Ratio);
        Assert.Throws<ArgumentOutOfRangeException>(() => BulkMotion.Measure(rgb, f, h, w, tau: 5));
    }

    [Fact]
    public void PerCondition_LightAndCameraRaiseTheBulkShare_PrintsTable()
    {
        Scenario[] scenarios = [Scenario.Uniform, Scenario.Parabola];
        var rows = new (string Name, WorldConditionOptions Options)[]
        {
            ("uniform/static", WorldConditionOptions.V1),
            ("gradient/static", new(Background: "gradient")),
            ("texture/static", new(Background: "texture")),
            ("texture/pan", new(Background: "texture", Camera: "pan")),
            ("parallax/pan", new(Background: "parallax", Camera: "pan")),
            ("texture/zoom", new(Background: "texture", Camera: "zoom")),
            ("texture/shake", new(Background: "texture", Camera: "shake")),
            ("texture/static/dimming", new(Background: "texture", Lighting: "dimming")),
            ("mixed", new("mixed")),
        };
        var ratios = new Dictionary<string, double>();
        foreach (var size in new[] { 32, 64 })
            foreach (var (name, o) in rows)
            {
                var (mu, loc, ratio) = BulkMotion.PerCondition(o, scenarios, 4, size);
                Assert.InRange(ratio, 0, 1);
                ratios[$"{name}@{size}"] = ratio;
                output.WriteLine($"{name,-24} {size} px: |mu|^2 {mu:0.0e0}  per-location {loc:0.0e0}  ratio {100 * ratio:0.00} %");
            }
        // A global light change is bulk motion by definition; a ball on a uniform background is almost none.
        Assert.True(ratios["texture/static/dimming@32"] > 10 * ratios["uniform/static@32"]);
        Assert.True(ratios["uniform/static@32"] < 0.01);
    }
}
