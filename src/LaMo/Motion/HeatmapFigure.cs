using ScottPlot;
using Range = ScottPlot.Range;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>What a heatmap figure says about itself: its title, what its x and y axes are, and what the colour bar
/// measures.</summary>
/// <param name="Title">Figure title (which clip, which video, which map).</param>
/// <param name="XLabel">What x is, with its unit.</param>
/// <param name="YLabel">What y is, with its unit.</param>
/// <param name="ValueLabel">What the colour bar measures, with its unit.</param>
public sealed record HeatmapLabels(string Title, string XLabel, string YLabel, string ValueLabel);

/// <summary>A heatmap overlay (<see cref="HeatmapOverlay.Blend"/>) as a readable figure: title, labelled axes in the
/// frame's own pixels, and a colour bar from 0 to the map's maximum in the map's units.</summary>
public static class HeatmapFigure
{
    // Same ramp as HeatmapOverlay's blend, so the bar shows the colours the map is drawn with.
    private static readonly Color[] RampColors =
        [new(0, 0, 4), new(87, 16, 110), new(188, 55, 84), new(249, 142, 9), new(252, 255, 164)];

    /// <summary>Builds the figure of <paramref name="map"/> [h, w] blended onto <paramref name="frame"/> [H, W, 3].</summary>
    /// <param name="map">Non-negative map; the overlay scales it by its maximum, the colour bar keeps its units.</param>
    /// <param name="frame">RGB frame the map is blended onto (may be an upscaled copy of the video frame).</param>
    /// <param name="frameWidth">Width of the video frame in its own pixels (the x axis runs 0..this).</param>
    /// <param name="frameHeight">Height of the video frame in its own pixels (the y axis runs 0..this, top to bottom).</param>
    /// <param name="labels">Title and axis labels.</param>
    /// <param name="alpha">Blend weight of the hottest cell.</param>
    /// <exception cref="ArgumentException">A size is not positive, or <see cref="HeatmapOverlay.Blend"/> rejects the inputs.</exception>
    public static Plot Build(Tensor map, byte[,,] frame, int frameWidth, int frameHeight, HeatmapLabels labels, double alpha = 0.6)
    {
        if (frameWidth <= 0 || frameHeight <= 0) throw new ArgumentException($"frame size {frameWidth}×{frameHeight} must be positive");
        var blended = HeatmapOverlay.Blend(map, frame, alpha);
        double max;
        using (NewDisposeScope()) max = map.detach().cpu().to_type(ScalarType.Float64).clamp_min(Sc(0)).max().item<double>();

        var plot = new Plot();
        var image = plot.Add.ImageRect(new Image(blended), new CoordinateRect(0, frameWidth, frameHeight, 0));
        image.AntiAlias = false;
        plot.Axes.SetLimits(0, frameWidth, 0, frameHeight);
        plot.Axes.InvertY();                                                                  // y grows downwards, as in the image
        plot.Title(labels.Title);
        plot.XLabel(labels.XLabel);
        plot.YLabel(labels.YLabel);
        var bar = new ScottPlot.Panels.ColorBar(new ColourAxis(new Range(0, max > 0 ? max : 1)), Edge.Right);
        bar.Label = labels.ValueLabel;
        plot.Axes.AddPanel(bar);
        return plot;
    }

    /// <summary>Writes <see cref="Build"/> as a PNG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static void WritePng(string path, Tensor map, byte[,,] frame, int frameWidth, int frameHeight, HeatmapLabels labels,
        int width = 560, int height = 480, double alpha = 0.6)
    {
        var plot = Build(map, frame, frameWidth, frameHeight, labels, alpha);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var png = plot.GetImageBytes(width, height, ImageFormat.Png);
        Core.AtomicFile.Write(path, s => s.Write(png));
    }

    /// <summary>The colour bar's source: the overlay's ramp over [0, max].</summary>
    private sealed class ColourAxis(Range range) : IHasColorAxis
    {
        public IColormap Colormap { get; } = new ScottPlot.Colormaps.Custom(RampColors, true);

        public Range GetRange() => range;
    }
}
