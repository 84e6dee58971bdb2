using LaMo.World;
using Xunit;

namespace LaMo.Tests.World;

public class RendererTests
{
    // The evaluation's parser: w = clip(I_k - max(other channels), 0, 1).
    private static (double Area, double U, double V) Blob(byte[] frames, int k, int w, int h, int channel)
    {
        double area = 0, su = 0, sv = 0;
        var off = k * w * h * 3;
        for (var j = 0; j < h; j++)
            for (var i = 0; i < w; i++)
            {
                var p = off + 3 * (j * w + i);
                int other = channel switch { 0 => Math.Max(frames[p + 1], frames[p + 2]), 1 => Math.Max(frames[p], frames[p + 2]), _ => Math.Max(frames[p], frames[p + 1]) };
                var wt = Math.Clamp((frames[p + channel] - other) / 255.0, 0, 1);
                area += wt;
                su += wt * (i + 0.5);
                sv += wt * (j + 0.5);
            }
        return (area, su / area, sv / area);
    }

    [Theory]
    [InlineData(Scenario.Collision, "train")]
    [InlineData(Scenario.Parabola, "test-ood-r")]
    [InlineData(Scenario.DropBounce, "test-id")]
    [InlineData(Scenario.Pendulum, "train")]
    public void Render_ChannelDominanceBlob_MatchesTrueDiscAreaAndCentre(Scenario s, string split)
    {
        for (var seed = 0; seed < 4; seed++)
        {
            var c = WorldPhysicsTests.Generate(s, split, seed, size: 64);
            var frames = Renderer.Render(c);
            Assert.Equal(17 * 64 * 64 * 3, frames.Length);
            foreach (var f in c.Frames)
                foreach (var o in f.Objects.Where(o => o.Visible))
                {
                    var (area, u, v) = Blob(frames, f.Index, 64, 64, Palette.Channel(o.Colour));
                    var (tu, tv) = c.Camera.ToPixel(o.X, o.Y);
                    var trueArea = Math.PI * Math.Pow(o.Radius * c.Camera.ScaleX, 2);
                    Assert.InRange(area / trueArea, 0.98, 1.02);
                    Assert.True(Math.Abs(u - tu) < 0.05 && Math.Abs(v - tv) < 0.05, $"{s} frame {f.Index}: ({u},{v}) vs ({tu},{tv})");
                }
        }
    }

    [Fact]
    public void Render_StaticScene_BackgroundWallAndFloorExact()
    {
        var c = WorldPhysicsTests.Generate(Scenario.WallBounce, "train", 0, size: 64);
        var frames = Renderer.Render(c);
        int At(int k, int i, int j, int ch) => frames[k * 64 * 64 * 3 + 3 * (j * 64 + i) + ch];
        // Wall covers x >= 9, i.e. u >= 57.6: column 58 on is pure black; column 57's subsample columns sit at
        // 57.125, 57.375, 57.625, 57.875, so 2 of 4 are inside: 255 * (1 - 0.5) = 127.5, rounded to even 128.
        Assert.Equal(0, At(0, 60, 2, 0));
        Assert.Equal(128, At(0, 57, 2, 1));
        Assert.Equal(255, At(0, 0, 0, 2));
        var drop = WorldPhysicsTests.Generate(Scenario.FrictionSlide, "train", 1, size: 64);
        var df = Renderer.Render(drop);
        Assert.Equal(110, df[3 * (63 * 64 + 0)]); // bottom-left pixel is floor grey
        Assert.Equal(df[..(64 * 64 * 3)], Renderer.RenderFrame(drop, 0));
    }
}
