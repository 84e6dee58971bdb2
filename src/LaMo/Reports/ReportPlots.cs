using ScottPlot;

namespace LaMo.Reports;

/// <summary>ScottPlot charts of the reports (PNG).</summary>
public static class ReportPlots
{
    /// <summary>Grouped bars: one group per <paramref name="groups"/> label, one coloured bar per series, with a legend.
    /// A missing value (NaN: e.g. every clip of that row failed) is marked "n/a" at its place, so it cannot pass for a
    /// zero.</summary>
    /// <exception cref="ArgumentException">A series has the wrong number of values.</exception>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> groups,
        IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, int width = 1000, int height = 500)
    {
        if (series.Any(s => s.Values.Count != groups.Count)) throw new ArgumentException("every series needs one value per group", nameof(series));
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double slot = 0.8 / Math.Max(1, series.Count);
        for (int k = 0; k < series.Count; k++)
        {
            var color = palette.GetColor(k);
            var bars = new List<Bar>();
            for (int g = 0; g < groups.Count; g++)
            {
                double v = series[k].Values[g], position = g - 0.4 + slot * (k + 0.5);
                if (double.IsFinite(v)) bars.Add(new Bar { Position = position, Value = v, FillColor = color, Size = slot * 0.9 });
                else
                {
                    var mark = plot.Add.Text("n/a", position, 0);
                    mark.LabelFontColor = color;
                    mark.LabelRotation = -90;
                    mark.LabelAlignment = Alignment.MiddleLeft;
                }
            }
            if (bars.Count > 0) plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[k].Name, FillColor = color });
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray(), groups.ToArray());
        Rotate(plot, groups);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        Save(plot, path, width, height);
    }

    /// <summary>Mean differences with 95 % CIs as points with error bars, a dashed zero line (forest plot).</summary>
    public static void Differences(string path, string title, IReadOnlyList<(string Label, double Mean, double Low, double High)> items,
        int width = 900, int height = 450)
    {
        var plot = new Plot();
        var shown = items.Where(i => double.IsFinite(i.Mean)).ToArray();
        for (int i = 0; i < shown.Length; i++)
        {
            var (_, mean, lo, hi) = shown[i];
            var color = hi < 0 ? Colors.Green : lo > 0 ? Colors.Red : Colors.Gray;
            var line = plot.Add.Line(i, lo, i, hi);
            line.LineWidth = 3;
            line.LineColor = color;
            var m = plot.Add.Marker(i, mean);
            m.MarkerSize = 10;
            m.Color = color;
        }
        plot.Add.HorizontalLine(0, 1, Colors.Black, LinePattern.Dashed);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, shown.Length).Select(i => (double)i).ToArray(), shown.Select(s => s.Label).ToArray());
        Rotate(plot, shown.Select(s => s.Label).ToArray());
        plot.Axes.SetLimitsX(-0.5, Math.Max(0.5, shown.Length - 0.5));
        plot.Title(title);
        plot.YLabel("variant − baseline (95 % CI)");
        Save(plot, path, width, height);
    }

    // Long tick labels: rotate and reserve room below the axis so they are not cut off.
    private static void Rotate(Plot plot, IReadOnlyList<string> labels)
    {
        int longest = labels.Count == 0 ? 0 : labels.Max(l => l.Length);
        if (longest <= 8) return;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 12 + 6.5f * longest;
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, width, height);
    }
}
