using LaMo.Experiment;
using LaMo.Motion;
using ScottPlot;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

/// <summary>A heatmap in a report is a figure: title, labelled axes, and a colour bar over the map's value range.</summary>
[Collection("Torch")]
public sealed class HeatmapFigureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-heatfig-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static Tensor Map()
    {
        var map = zeros(4, 4);
        map[0, 0] = 2.5f;
        map[3, 3] = 0.5f;
        return map;
    }

    [Fact]
    public void Build_CarriesTitleAxisLabelsAndColourBarOverTheMapsRange()
    {
        using var scope = NewDisposeScope();
        var labels = StudyHeatmaps.Labels("s1_000", "lamo: drift map at latent frame f* = 2 (RGB frame 10)", "drift", 8);
        var plot = HeatmapFigure.Build(Map(), new byte[128, 128, 3], 32, 32, labels);

        Assert.Equal(labels.Title, plot.Axes.Title.Label.Text);
        Assert.Contains("s1_000", plot.Axes.Title.Label.Text);
        Assert.StartsWith("x (frame pixel", plot.Axes.Bottom.Label.Text);
        Assert.StartsWith("y (frame pixel", plot.Axes.Left.Label.Text);
        var bar = Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        Assert.Contains("R_drift", bar.Label);
        var range = bar.Source.GetRange();
        Assert.Equal(0, range.Min);
        Assert.Equal(2.5, range.Max, 6);                                                 // the map's maximum, in its units
        var limits = plot.Axes.GetLimits();
        Assert.Equal((0, 32), (limits.Left, limits.Right));                             // x spans the frame's own pixels
        Assert.Equal((32, 0), (limits.Bottom, limits.Top));                             // y grows downwards, as in the image
    }

    [Fact]
    public void WritePng_IsLargerThanTheBareOverlay_AndShowsTheColourBar()
    {
        using var scope = NewDisposeScope();
        var frame = new byte[128, 128, 3];
        string bare = Path.Combine(_dir, "bare.png"), figure = Path.Combine(_dir, "figure.png");
        HeatmapOverlay.WritePng(bare, Map(), frame);
        HeatmapFigure.WritePng(figure, Map(), frame, 32, 32, StudyHeatmaps.Labels("s1_000", "gt: field map", "field", 8));

        using var b = SKBitmap.Decode(bare);
        using var f = SKBitmap.Decode(figure);
        Assert.True(f.Width > b.Width + 100 && f.Height > b.Height + 100, $"figure {f.Width}×{f.Height} vs bare {b.Width}×{b.Height}");
        // The colour bar: somewhere right of the map area sits the ramp's pale-yellow top, a colour no bare pixel of a black frame has.
        bool paleYellow = false;
        for (int x = f.Width * 3 / 4; x < f.Width && !paleYellow; x++)
            for (int y = 0; y < f.Height && !paleYellow; y++)
            {
                var c = f.GetPixel(x, y);
                paleYellow = c.Red > 230 && c.Green > 230 && c.Blue is > 120 and < 200;
            }
        Assert.True(paleYellow, "no colour bar at the figure's right");
    }
}
