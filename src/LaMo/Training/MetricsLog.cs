using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Writes training metrics to <c>metrics.csv</c> and TensorBoard event files (<c>tb/</c>), and plots the loss.</summary>
public sealed class MetricsLog
{
    private readonly string _csv;
    private readonly string _tbFolder;
    private TorchSharp.Modules.SummaryWriter? _tb;
    private List<string>? _columns;

    /// <summary>Logs under <paramref name="runFolder"/>.</summary>
    public MetricsLog(string runFolder)
    {
        _csv = Path.Combine(runFolder, "metrics.csv");
        _tbFolder = Path.Combine(runFolder, "tb");
    }

    /// <summary>Starts a fresh log.</summary>
    public void Reset()
    {
        if (File.Exists(_csv)) File.Delete(_csv);
        _columns = null;
    }

    /// <summary>Drops rows after <paramref name="step"/> (used on resume, so the CSV matches the checkpoint).</summary>
    public void TruncateAfter(int step)
    {
        if (!File.Exists(_csv)) return;
        var lines = File.ReadAllLines(_csv);
        if (lines.Length == 0) return;
        _columns = lines[0].Split(',').ToList();
        var kept = lines.Take(1).Concat(lines.Skip(1).Where(l =>
            int.TryParse(l.Split(',')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) && s <= step));
        Core.AtomicFile.WriteAllText(_csv, string.Join('\n', kept) + '\n');
    }

    /// <summary>Appends one row (and TensorBoard scalars) for <paramref name="step"/>.</summary>
    public void Append(int step, IReadOnlyDictionary<string, double> values, double secondsPerStep, int skipped)
    {
        var row = new Dictionary<string, double>(values)
        {
            ["s_per_step"] = secondsPerStep,
            ["skipped"] = skipped,
            ["live_tensors"] = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount,
        };
        if (_columns is null)
        {
            _columns = ["step", .. row.Keys.OrderBy(k => k == "loss" ? "" : k, StringComparer.Ordinal)];
            File.WriteAllText(_csv, string.Join(',', _columns) + "\n");
        }
        var sb = new StringBuilder(step.ToString(CultureInfo.InvariantCulture));
        foreach (var c in _columns.Skip(1))
            // G9: a float32 loss round-trips, so runs (e.g. 1 vs N ranks) can be compared to 1e-6 from the CSV alone.
            sb.Append(',').Append(row.TryGetValue(c, out double v) ? v.ToString("G9", CultureInfo.InvariantCulture) : "");
        File.AppendAllText(_csv, sb.Append('\n').ToString());
        try
        {
            _tb ??= utils.tensorboard.SummaryWriter(_tbFolder, "", false);
            foreach (var (k, v) in values) _tb.add_scalar(k, (float)v, step);
        }
        catch (IOException) { /* TensorBoard output is best-effort; the CSV is the record. */ }
    }

    /// <summary>Flushes TensorBoard output.</summary>
    public void Close() => _tb = null;

    /// <summary>Reads metrics.csv back (step → column → value).</summary>
    public static List<(int Step, Dictionary<string, double> Values)> Read(string csvPath)
    {
        var lines = File.ReadAllLines(csvPath);
        var cols = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var parts = l.Split(',');
            var d = new Dictionary<string, double>();
            for (int i = 1; i < cols.Length && i < parts.Length; i++)
                if (double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) d[cols[i]] = v;
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), d);
        }).ToList();
    }

    /// <summary>Plots every column whose name ends in <c>loss</c> against the step, log scale, to a PNG.</summary>
    public void PlotLoss(string pngPath)
    {
        if (!File.Exists(_csv)) return;
        var rows = Read(_csv);
        if (rows.Count == 0) return;
        var plot = new ScottPlot.Plot();
        foreach (var col in rows[0].Values.Keys.Where(k => k == "loss" || k.EndsWith("_loss", StringComparison.Ordinal) || k is "denoise" or "drift" or "prior"))
        {
            var pts = rows.Where(r => r.Values.TryGetValue(col, out double v) && v > 0).ToList();
            if (pts.Count == 0) continue;
            var s = plot.Add.Scatter(pts.Select(r => (double)r.Step).ToArray(), pts.Select(r => Math.Log10(r.Values[col])).ToArray());
            s.LegendText = col;
        }
        plot.Title("Training losses");
        plot.XLabel("step");
        plot.YLabel("log10(loss)");
        plot.ShowLegend(ScottPlot.Edge.Right);   // beside the axes: inside, it covered a line
        plot.SavePng(pngPath, 800, 500);
    }
}
