using System.Globalization;
using System.Text.Json.Nodes;

namespace LaMo.Experiment;

/// <summary>One grid point of a tuning run: the arm's hyper-parameters and its validation figures.</summary>
/// <param name="Run">Run folder of the point.</param>
/// <param name="Values">The arm's tuned hyper-parameters (name → value), in the protocol's tie-break order.</param>
/// <param name="M1c">The arm's mean M1c in continuation mode, mean over the conditions with equal weight.</param>
/// <param name="Failure">The arm's failure rate, mean over the conditions with equal weight.</param>
/// <param name="BaselineFailure">The baseline's failure rate in the same run (same weighting).</param>
public sealed record TuningPoint(string Run, IReadOnlyList<(string Name, double Value)> Values, double M1c, double Failure, double BaselineFailure);

/// <summary>The tuning of docs/results/study-v2.md, "Tuning": the 9-point grids and the one selection rule. Each grid point
/// is one <c>lamo experiment</c> run on the validation split; <see cref="Measure"/> reads a finished run and
/// <see cref="Select"/> applies the rule.</summary>
public static class StudyTuning
{
    /// <summary>The hyper-parameters tuned per arm, as (name, where in the saved plan) in tie-break order (smaller first wins).</summary>
    public static IReadOnlyDictionary<string, (string Name, string[] Path)[]> Tuned { get; } = new Dictionary<string, (string, string[])[]>
    {
        [StudyVariant.BaselineName] = [("learning_rate", ["fine_tunes", "learning_rate"]), ("steps", ["fine_tunes", "steps"])],
        ["+drift"] = [("drift_lambda", ["fine_tunes", "drift_lambda"])],
        [StudyVariant.DriftNoiseFloorName] = [("drift_nf_lambda", ["fine_tunes", "drift_noise_floor_lambda"]), ("drift_nf_kappa", ["fine_tunes", "drift_noise_floor_kappa"])],
        ["+guidance"] = [("lambda", ["options", "guidance", "lambda"]), ("rho", ["options", "guidance", "rho"])],
        ["lamo"] = [("lambda", ["options", "guidance", "lambda"]), ("rho", ["options", "guidance", "rho"])],
        ["flowmo"] = [("flowmo_step_size", ["options", "flowmo_step_size"]), ("flowmo_iterations", ["options", "flowmo_iterations"])],
    };

    /// <summary>The protocol's grids (9 points per arm).</summary>
    public static IReadOnlyDictionary<string, double[][]> Grids { get; } = new Dictionary<string, double[][]>
    {
        [StudyVariant.BaselineName] = Cross([3e-4, 1e-3, 3e-3], [250, 500, 1000]),
        ["+drift"] = [.. new[] { 0.001, 0.002, 0.004, 0.01, 0.02, 0.04, 0.1, 0.2, 0.4 }.Select(x => new[] { x })],
        [StudyVariant.DriftNoiseFloorName] = Cross([0.004, 0.04, 0.4], [0.003, 0.03, 0.3]),
        ["+guidance"] = Cross([5, 15, 25], [0.4, 0.6, 0.8]),
        ["lamo"] = Cross([5, 15, 25], [0.4, 0.6, 0.8]),
        ["flowmo"] = Cross([0.001, 0.005, 0.02], [1, 2, 4]),
    };

    /// <summary>Failure-rate slack over the tuned baseline's.</summary>
    public const double FailureSlack = 0.05;

    /// <summary>M1c values within this fraction of the best tie.</summary>
    public const double TieFraction = 0.01;

    /// <summary>Reads a finished grid-point run: the arm's tuned values from its <c>experiment.json</c> plan and its
    /// continuation-mode M1c and failure rate (conditions weighted equally) from <c>results.json</c>.</summary>
    /// <exception cref="ArgumentException">Unknown arm, or the run lacks the arm or a tuned value (names it).</exception>
    public static TuningPoint Measure(string run, string arm)
    {
        if (!Tuned.TryGetValue(arm, out var tuned)) throw new ArgumentException($"arm '{arm}' is not tuned; expected one of {string.Join(", ", Tuned.Keys)}", nameof(arm));
        var plan = JsonNode.Parse(File.ReadAllText(Path.Combine(run, StudyRunFolder.Marker)))?["plan"]
            ?? throw new ArgumentException($"{run}: no saved plan in {StudyRunFolder.Marker}");
        var values = tuned.Select(t =>
        {
            JsonNode? node = plan;
            foreach (var key in t.Path) node = node?[key];
            double? v = node?.GetValue<double?>();
            if (v is null && t.Name == "drift_nf_lambda") { node = plan["fine_tunes"]?["drift_lambda"]; v = node?.GetValue<double?>(); }
            return (t.Name, v ?? throw new ArgumentException($"{run}: the plan has no {t.Name} (give it explicitly to the grid-point run)"));
        }).ToArray();
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!;
        var units = results["units"]!.AsArray();
        var rows = results["physics"]!["rows"]!.AsArray();
        JsonArray Clips(string method) => (rows.FirstOrDefault(r => (string?)r!["method"] == method)?["clips"]
            ?? throw new ArgumentException($"{run}: results.json has no row '{method}'")).AsArray();
        var armClips = Clips(arm);
        var baseClips = Clips(StudyVariant.BaselineName);
        double PerCondition(JsonArray clips, Func<JsonNode, double?> select)
        {
            var byCondition = Enumerable.Range(0, units.Count).Where(i => (string?)units[i]!["mode"] is null or StudyModes.Continuation)
                .GroupBy(i => (string?)units[i]!["condition"] ?? "C0")
                .Select(g => g.Select(i => select(clips[i]!)).OfType<double>().ToArray()).Where(a => a.Length > 0).Select(a => a.Average()).ToArray();
            return byCondition.Length == 0 ? double.NaN : byCondition.Average();
        }
        static double? M1c(JsonNode c) => c["m1c_fitted_velocity_error"]?.GetValue<double?>();
        static double? Failed(JsonNode c) => c["failure"]!.GetValue<bool>() ? 1 : 0;
        return new TuningPoint(run, values, PerCondition(armClips, M1c), PerCondition(armClips, Failed), PerCondition(baseClips, Failed));
    }

    /// <summary>The protocol's rule: the lowest validation M1c among the points whose failure rate is at most the tuned
    /// baseline's + 0.05 (for the baseline itself, the lowest M1c); points within 1 % of that M1c tie, and the tie goes to
    /// the smaller intervention (values compared in order). Null when no point qualifies.</summary>
    public static TuningPoint? Select(IReadOnlyList<TuningPoint> points, string arm)
    {
        var eligible = points.Where(p => double.IsFinite(p.M1c) && (arm == StudyVariant.BaselineName || p.Failure <= p.BaselineFailure + FailureSlack)).ToArray();
        if (eligible.Length == 0) return null;
        double best = eligible.Min(p => p.M1c);
        return eligible.Where(p => p.M1c <= best * (1 + TieFraction))
            .OrderBy(p => p.Values.Select(v => v.Value).ToArray(), Comparer<double[]>.Create(Lexicographic)).First();
    }

    /// <summary>One line per point for the report: values, M1c, failure, the baseline's failure, eligibility.</summary>
    public static string Table(IReadOnlyList<TuningPoint> points, string arm, TuningPoint? chosen)
    {
        var names = points.Count == 0 ? [] : points[0].Values.Select(v => v.Name).ToArray();
        var lines = new List<string>
        {
            $"| {string.Join(" | ", names)} | M1c (val, conditions equal) | failure | baseline failure | eligible | chosen |",
            $"|{string.Concat(names.Select(_ => "---|"))}---|---|---|---|---|",
        };
        foreach (var p in points.OrderBy(p => p.Values.Select(v => v.Value).ToArray(), Comparer<double[]>.Create(Lexicographic)))
        {
            bool eligible = double.IsFinite(p.M1c) && (arm == StudyVariant.BaselineName || p.Failure <= p.BaselineFailure + FailureSlack);
            lines.Add($"| {string.Join(" | ", p.Values.Select(v => v.Value.ToString("G4", CultureInfo.InvariantCulture)))} | {F(p.M1c)} | {F(p.Failure)} | {F(p.BaselineFailure)} | {(eligible ? "yes" : "no")} | {(ReferenceEquals(p, chosen) ? "**yes**" : "")} |");
        }
        return string.Join("\n", lines) + "\n";
    }

    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static int Lexicographic(double[] a, double[] b)
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            int c = a[i].CompareTo(b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    private static double[][] Cross(double[] a, double[] b) => [.. a.SelectMany(x => b.Select(y => new[] { x, y }))];
}
