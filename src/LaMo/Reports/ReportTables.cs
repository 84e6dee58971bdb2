using System.Globalization;
using System.Text;
using LaMo.Evaluation.Physics;
using LaMo.Experiment;

namespace LaMo.Reports;

/// <summary>The tables of the study and demo reports, as rows of strings (rendered to Markdown or HTML).</summary>
public static class ReportTables
{
    /// <summary>Physics metrics of the headline table: referenced (M1c, M2, M3) beside law-free (M7, M9) ones.</summary>
    public static IReadOnlyList<(string Key, string Label)> HeadlineMetrics { get; } =
    [
        ("failure", "failure rate"), ("m1c", "M1c vel. err"), ("m2", "M2 pos. err"), ("m3", "M3 grav. err"),
        ("m7_residual_px", "M7 law resid. px"), ("m9_jerk", "M9 jerk"), ("m9_frozen", "M9 frozen"),
    ];

    /// <summary>Metrics where higher is better (everything else is an error: lower is better).</summary>
    public static bool HigherIsBetter(string metric) => metric.StartsWith("m8", StringComparison.Ordinal) || metric == "m6_permanence";

    /// <summary>Number format of the tables.</summary>
    public static string F(double v) => PhysicsBenchmark.Format(v);

    /// <summary>Headline: one line per row (variants, then reference rows): clips, failure rate, M1c, M2, M3, M7, M9,
    /// motion smoothness, sampling seconds per video.</summary>
    public static (string[] Header, List<string[]> Rows) Headline(StudyResult r)
    {
        var header = new[] { "row", "clips" }.Concat(HeadlineMetrics.Select(m => m.Label)).Concat(["smoothness", "flickering", "s/video"]).ToArray();
        var rows = new List<string[]>();
        foreach (var row in r.Physics.Rows)
        {
            var motion = r.MotionOf(row.Method);
            var time = r.Timing.FirstOrDefault(t => t.Variant == row.Method);
            rows.Add([row.Method, row.Overall.Clips.ToString(CultureInfo.InvariantCulture),
                .. HeadlineMetrics.Select(m => F(row.Overall.Metrics[m.Key].Mean)),
                motion is null ? "-" : F(motion.Smoothness), motion is null ? "-" : F(motion.Flickering),
                time is null ? "-" : time.MeanSecondsPerVideo.ToString("0.00", CultureInfo.InvariantCulture)]);
        }
        return (header, rows);
    }

    /// <summary>Paired bootstraps variant − baseline in one (scenario, split) group.</summary>
    public static (string[] Header, List<string[]> Rows) Versus(StudyResult r, string scenario = "all", string split = "all", IReadOnlyList<string>? metrics = null)
    {
        var header = new[] { "variant", "metric", "pairs", "mean diff", "median diff", "95 % CI", "reading" };
        var rows = r.VersusBaseline.Where(g => g.Scenario == scenario && g.Split == split && (metrics is null || metrics.Contains(g.Comparison.Metric)))
            .Select(g => g.Comparison)
            .Select(c => new[] { c.MethodA, c.Metric, c.Pairs.ToString(CultureInfo.InvariantCulture), F(c.MeanDifference), F(c.MedianDifference),
                $"[{F(c.CiLow)}, {F(c.CiHigh)}]", Reading(c) }).ToList();
        return (header, rows);
    }

    /// <summary>Fewest pairs a reading is made from: below it a bootstrap CI is degenerate (one pair resamples to a single
    /// value, so its "CI" excludes 0 whatever the truth) and no claim is made.</summary>
    public const int MinPairsForClaim = 5;

    /// <summary>"better" / "worse" when the 95 % CI excludes 0 (direction-aware), else "no clear difference"; "too few
    /// pairs" below <see cref="MinPairsForClaim"/>.</summary>
    public static string Reading(BootstrapComparison c)
    {
        if (c.Pairs == 0 || !double.IsFinite(c.CiLow)) return "n/a";
        if (c.Pairs < MinPairsForClaim) return $"too few pairs (< {MinPairsForClaim})";
        bool lower = c.CiHigh < 0, higher = c.CiLow > 0;
        if (!lower && !higher) return "no clear difference";
        return lower ^ HigherIsBetter(c.Metric) ? "better" : "worse";
    }

    /// <summary>Mean of <paramref name="metric"/> per (scenario, split) group (rows) and report row (columns).</summary>
    public static (string[] Header, List<string[]> Rows) ByGroup(StudyResult r, string metric)
    {
        var names = r.Physics.Rows.Select(x => x.Method).ToArray();
        var groups = r.Physics.Rows[0].Groups.Where(g => g.Scenario != "all" && g.Split != "all").Select(g => (g.Scenario, g.Split)).ToArray();
        var rows = groups.Select(g => new[] { $"{g.Scenario} / {g.Split}" }.Concat(names.Select(n =>
        {
            var s = r.Physics.Rows.First(x => x.Method == n).Groups.FirstOrDefault(x => x.Scenario == g.Scenario && x.Split == g.Split);
            return s is null ? "-" : F(s.Metrics[metric].Mean);
        })).ToArray()).ToList();
        return (new[] { "scenario / split" }.Concat(names).ToArray(), rows);
    }

    /// <summary>Mean variant − baseline per training seed for the key metrics, with how many seeds agree in sign.</summary>
    public static (string[] Header, List<string[]> Rows) PerSeed(StudyResult r, IReadOnlyList<string> metrics)
    {
        var seeds = r.FineTunes.Select(p => p.Seed).ToArray();
        var header = new[] { "variant", "metric" }.Concat(seeds.Select(s => $"seed {s}")).Append("seeds lower than baseline").ToArray();
        var rows = new List<string[]>();
        foreach (var v in r.Options.Variants.Skip(1))
            foreach (var m in metrics)
            {
                var d = seeds.Select(s => r.PerSeed.FirstOrDefault(x => x.Variant == v && x.TrainSeed == s && x.Metric == m)?.MeanDifference ?? double.NaN).ToArray();
                rows.Add([v, m, .. d.Select(F), $"{d.Count(x => x < 0)}/{d.Count(double.IsFinite)}"]);
            }
        return (header, rows);
    }

    /// <summary>Motion metrics per row.</summary>
    public static (string[] Header, List<string[]> Rows) Motion(StudyResult r) =>
        (["row", "videos", "smoothness", "dynamic degree", "flickering", "subject consistency"],
         r.Motion.Select(m => new[] { m.Row, m.Videos.ToString(CultureInfo.InvariantCulture), F(m.Smoothness), F(m.DynamicDegree), F(m.Flickering), F(m.SubjectConsistency) }).ToList());

    /// <summary>Sampling cost per variant.</summary>
    public static (string[] Header, List<string[]> Rows) Timing(StudyResult r) =>
        (["variant", "videos", "s/video", "overhead vs baseline"],
         r.Timing.Select(t => new[] { t.Variant, t.Videos.ToString(CultureInfo.InvariantCulture), t.MeanSecondsPerVideo.ToString("0.00", CultureInfo.InvariantCulture),
             t.OverheadVsBaseline.ToString("0.00", CultureInfo.InvariantCulture) + "x" }).ToList());

    /// <summary>Stage wall times.</summary>
    public static (string[] Header, List<string[]> Rows) Stages(StudyResult r) =>
        (["stage", "seconds"], r.Stages.Select(s => new[] { s.Stage, s.Seconds.ToString("0.0", CultureInfo.InvariantCulture) })
            .Append(["total", r.Stages.Sum(s => s.Seconds).ToString("0.0", CultureInfo.InvariantCulture)]).ToList());

    /// <summary>The primary family: each comparison with its Bonferroni-level CI, the per-seed means and the reading.</summary>
    public static (string[] Header, List<string[]> Rows) Primary(StudyResult r)
    {
        var header = new[] { "comparison", "metric", "mode", "conditions", "pairs", "mean diff", "CI", "level", "per-seed means", "reading" };
        var rows = (r.Comparisons ?? []).Where(c => c.Primary).Select(c => new[]
        {
            $"{c.Arm} − {c.Versus}", c.Metric, c.Mode, string.Join(",", r.Options.PrimaryConditions ?? r.Options.Conditions.Select(x => x.Id).ToArray()),
            c.Interval.Units.ToString(CultureInfo.InvariantCulture), F(c.Interval.Mean), $"[{F(c.Interval.Low)}, {F(c.Interval.High)}]",
            c.Interval.Level.ToString("0.####", CultureInfo.InvariantCulture), SeedMeans(c), Reading(Experiment.StudyEvaluation.ToBootstrap(c)),
        }).ToList();
        return (header, rows);
    }

    /// <summary>One metric per (mode, split, condition) and arm: the arm's mean over its units, and arm − baseline with its CI and
    /// per-seed means; a "pooled" line per (mode, split) weighs conditions equally.</summary>
    public static (string[] Header, List<string[]> Rows) ByCondition(StudyResult r, string metric)
    {
        var header = new[] { "mode", "split", "condition", "arm", "mean", "− baseline", "CI", "per-seed means", "reading" };
        var sel = ClipPhysicsResult.Selector(metric);
        var units = r.Units;
        var rows = new List<string[]>();
        foreach (var (mode, split) in units.Select(u => (u.Mode, u.Split)).Distinct())
            foreach (var cond in r.Options.Conditions.Select(c => c.Id).Append("all"))
                foreach (var arm in r.Options.Variants)
                {
                    var row = r.Physics.Rows.First(x => x.Method == arm).Clips;
                    var values = Enumerable.Range(0, units.Count).Where(i => units[i].Mode == mode && units[i].Split == split && (cond == "all" || units[i].Condition == cond))
                        .Select(i => sel(row[i])).OfType<double>().ToArray();
                    var c = (r.Comparisons ?? []).FirstOrDefault(x => x.Arm == arm && x.Versus == StudyVariant.BaselineName && x.Metric == metric && x.Mode == mode
                        && x.Split == split && x.Condition == cond && x.Scenario == "all");
                    rows.Add([Experiment.StudyModes.Tag(mode), split, cond == "all" ? "pooled" : cond, arm, values.Length == 0 ? "-" : F(values.Average()),
                        c is null ? "" : F(c.Interval.Mean), c is null ? "" : $"[{F(c.Interval.Low)}, {F(c.Interval.High)}]", c is null ? "" : SeedMeans(c),
                        c is null ? "" : Reading(Experiment.StudyEvaluation.ToBootstrap(c))]);
                }
        return (header, rows);
    }

    /// <summary>The sample-size rule's n per split, condition and primary metric.</summary>
    public static (string[] Header, List<string[]> Rows) SampleSizes(StudyResult r) =>
        (["mode", "split", "condition", "metric", "clips needed", "from arm", "sd of differences", "baseline mean", "pairs"],
         (r.SampleSizes ?? []).Select(s => new[] { Experiment.StudyModes.Tag(s.Mode), s.Split, s.Condition, s.Metric, s.Clips.ToString(CultureInfo.InvariantCulture), s.Arm,
             F(s.SdDifference), F(s.BaselineMean), s.Pairs.ToString(CultureInfo.InvariantCulture) }).ToList());

    private static string SeedMeans(StudyComparison c) =>
        string.Join(" ", c.Interval.SeedMeans.OrderBy(kv => kv.Key).Select(kv => $"s{kv.Key}: {F(kv.Value)}"));

    /// <summary>Renders a table as Markdown.</summary>
    public static string Markdown((string[] Header, List<string[]> Rows) t)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"| {string.Join(" | ", t.Header)} |");
        sb.AppendLine($"|{string.Concat(t.Header.Select(_ => "---|"))}");
        foreach (var r in t.Rows) sb.AppendLine($"| {string.Join(" | ", r)} |");
        return sb.ToString();
    }

    /// <summary>Plain sentences on what the overall comparisons show (both directions, and "no clear difference").</summary>
    public static IReadOnlyList<string> Findings(StudyResult r)
    {
        var lines = new List<string>();
        string[] referenced = ["m1c", "m2", "m3", "m1_with_failures"], lawFree = ["m7_residual_px", "m9_jerk"];
        foreach (var v in r.Options.Variants.Skip(1))
        {
            var cs = r.VersusBaseline.Where(g => g.Scenario == "all" && g.Split == "all" && g.Comparison.MethodA == v).Select(g => g.Comparison).ToArray();
            string Say(string m) => cs.FirstOrDefault(c => c.Metric == m) is { } c ? $"{m} {F(c.MeanDifference)} [{F(c.CiLow)}, {F(c.CiHigh)}] ({Reading(c)})" : $"{m} n/a";
            lines.Add($"{v} − baseline: {string.Join("; ", new[] { "failure", "m1c", "m2", "m3", "m7_residual_px", "m9_jerk" }.Select(Say))}.");
            bool refBetter = cs.Any(c => referenced.Contains(c.Metric) && Reading(c) == "better");
            bool refWorse = cs.Any(c => referenced.Contains(c.Metric) && Reading(c) == "worse");
            bool lawBetter = cs.Any(c => lawFree.Contains(c.Metric) && Reading(c) == "better");
            if (lawBetter && !refBetter)
                lines.Add($"{v}: smoother or more law-like motion (M7/M9) without a measurable gain against the ground truth (M1c/M2/M3): smoother is not the same as correct.");
            if (!refBetter && !lawBetter && !refWorse) lines.Add($"{v}: no metric differs clearly from the baseline at this sample size.");
            if (refWorse) lines.Add($"{v}: worse than the baseline on at least one ground-truth-referenced metric.");
        }
        return lines;
    }
}
