using System.Text;
using LaMo.Core;
using LaMo.Experiment;
using LaMo.Video;
using static LaMo.Reports.ReportTables;

namespace LaMo.Reports;

/// <summary>How a report is titled and laid out.</summary>
/// <param name="Title">Page title.</param>
/// <param name="Intro">Opening paragraphs.</param>
/// <param name="ByScenarioOnly">Plots per scenario (all splits pooled) instead of per (scenario, split).</param>
public sealed record ReportStyle(string Title, IReadOnlyList<string> Intro, bool ByScenarioOnly = false);

/// <summary>Writes a study's run folder: <c>results.json</c> (every figure), <c>eval.json</c> (physics benchmark),
/// <c>table.md</c> (headline), <c>report.md</c>, <c>index.html</c>, <c>plots/*.png</c> and <c>videos/*.gif|mp4</c>
/// (labelled side by side: GT | variants, same prompt and seed). Heatmaps were written by the runner.</summary>
public static class StudyReport
{
    /// <summary>Writes everything and returns the headline table (Markdown).</summary>
    public static string Write(StudyRun run, string folder, ReportStyle style)
    {
        Directory.CreateDirectory(folder);
        var r = run.Result;
        AtomicFile.WriteAllText(Path.Combine(folder, "results.json"), r.ToJson(folder).ReplaceLineEndings("\n") + "\n");
        r.Physics.Save(Path.Combine(folder, "eval.json"));
        string headline = Markdown(Headline(r));
        AtomicFile.WriteAllText(Path.Combine(folder, "table.md"), headline);
        var plots = Plots(r, folder, style);
        var gallery = Gallery(run, folder);

        var md = new StringBuilder();
        var html = new Html();
        md.AppendLine($"# {style.Title}\n");
        foreach (var p in style.Intro) { md.AppendLine(p + "\n"); html.P(p); }
        Section(md, html, "What the numbers show", null, Findings(r).Concat(r.Notes).ToArray());
        Section(md, html, "Headline (overall means; reference rows below the variants)", Headline(r));
        if (r.Gate is { } gate) Section(md, html, $"Quality gate of the base model on {r.Options.GateSplit}", null, [StudyRunner.Describe(gate)]);
        if (Primary(r) is { Rows.Count: > 0 } primary)
            Section(md, html, $"Primary family ({primary.Rows.Count} comparisons, {r.Options.PrimarySplit}, Bonferroni level; per-seed means beside each CI)", primary);
        Section(md, html, $"Each variant − baseline, two-level paired bootstrap {Level(r)} CI (all clips, conditions weighted equally)", Versus(r));
        foreach (var split in r.VersusBaseline.Select(g => g.Split).Where(s => s != "all").Distinct())
            Section(md, html, $"Each variant − baseline on {split} (M1c, M2, M3, M7)", Versus(r, "all", split, ["m1c", "m2", "m3", "m7_residual_px"]));
        if (r.Options.Conditions.Count > 1)
            foreach (var metric in new[] { "m1c", "m3", "failure" })
                Section(md, html, $"{metric} per condition × split × arm: mean, and arm − baseline with its {Level(r)} CI and per-seed means (pooled: conditions weighted equally)", ByCondition(r, metric));
        if (r.SampleSizes is { Count: > 0 }) Section(md, html, "Clips needed per split, condition and primary metric (paired 95 % CI of ±10 % of the baseline's mean, at least 128)", SampleSizes(r));
        Section(md, html, "Per training seed: mean variant − baseline", PerSeed(r, ["m1c", "m2", "m7_residual_px", "m9_jerk"]));
        Section(md, html, "M1c (fitted-velocity error, units/s) per scenario and split", ByGroup(r, "m1c"));
        Section(md, html, "M2 (position error, units) per scenario and split", ByGroup(r, "m2"));
        Section(md, html, "M7 (law-fit residual, px; no reference needed) per scenario and split", ByGroup(r, "m7_residual_px"));
        Section(md, html, "Motion metrics (VBench-style, classical stand-ins)", ReportTables.Motion(r));
        Section(md, html, "Sampling cost", Timing(r));
        Section(md, html, "Stage timings", Stages(r));

        md.AppendLine("## Plots\n");
        html.H(2, "Plots").Gallery(true);
        foreach (var (path, caption) in plots) { md.AppendLine($"![{caption}]({path})\n"); html.Figure(path, caption); }
        html.Gallery(false);
        md.AppendLine("## Side by side (same prompt and noise seed)\n");
        html.H(2, "Side by side (same prompt and noise seed)", "gallery").Gallery(true);
        foreach (var (gif, mp4, caption) in gallery) { md.AppendLine($"![{caption}]({gif}){(mp4 is null ? "" : $" [mp4]({mp4})")}\n"); html.Figure(gif, caption, mp4); }
        html.Gallery(false);
        if (run.Heatmaps.Count > 0)
        {
            md.AppendLine("## Where the motion prior sees motion (docs/method.md §4)\n");
            html.H(2, "Where the motion prior sees motion (docs/method.md §4)", "heatmaps").Gallery(true);
            foreach (var (path, caption) in run.Heatmaps) { md.AppendLine($"![{caption}]({path})\n"); html.Figure(path, caption); }
            html.Gallery(false);
        }
        html.H(2, "Files").Link("results.json", "results.json (every figure)").Link("eval.json", "eval.json (physics benchmark)")
            .Link("table.md", "table.md (headline)").Link("report.md", "report.md");
        md.AppendLine("Files: [results.json](results.json) · [eval.json](eval.json) · [table.md](table.md) · [index.html](index.html)");
        AtomicFile.WriteAllText(Path.Combine(folder, "report.md"), md.ToString());
        AtomicFile.WriteAllText(Path.Combine(folder, "index.html"), html.Page(style.Title));
        return headline;
    }

    private static void Section(StringBuilder md, Html html, string title, (string[] Header, List<string[]> Rows)? table, IReadOnlyList<string>? bullets = null)
    {
        md.AppendLine($"## {title}\n");
        html.H(2, title);
        if (table is { } t) { md.AppendLine(Markdown(t)); html.Table(t.Header, t.Rows); }
        if (bullets is not null) { foreach (var b in bullets) md.AppendLine($"* {b}"); md.AppendLine(); html.List(bullets); }
    }

    private static List<(string Path, string Caption)> Plots(StudyResult r, string folder, ReportStyle style)
    {
        var list = new List<(string, string)>();
        var rows = r.Physics.Rows;
        var groups = rows[0].Groups.Where(g => g.Scenario != "all" && (style.ByScenarioOnly ? g.Split == "all" : g.Split != "all"))
            .Select(g => (g.Scenario, g.Split)).ToArray();
        var labels = groups.Select(g => style.ByScenarioOnly ? g.Scenario : $"{g.Scenario}/{g.Split}").ToArray();
        foreach (var (metric, label) in new[] { ("m1c", "M1c fitted-velocity error (units/s)"), ("m2", "M2 position error (units)"), ("m7_residual_px", "M7 law-fit residual (px, law-free)") })
        {
            var series = rows.Select(row => (row.Method, (IReadOnlyList<double>)groups.Select(g =>
                row.Groups.FirstOrDefault(x => x.Scenario == g.Scenario && x.Split == g.Split)?.Metrics[metric].Mean ?? double.NaN).ToArray())).ToArray();
            string rel = $"plots/{metric}_by_{(style.ByScenarioOnly ? "scenario" : "scenario_split")}.png";
            ReportPlots.GroupedBars(Path.Combine(folder, rel), label, metric, labels, series);
            list.Add((rel, $"{label} per {(style.ByScenarioOnly ? "scenario" : "scenario and split")}: variants vs reference rows"));
        }
        foreach (var metric in new[] { "m1c", "m2" })
        {
            var items = r.VersusBaseline.Where(g => g.Scenario == "all" && g.Comparison.Metric == metric)
                .Select(g => ($"{g.Comparison.MethodA} {g.Split}", g.Comparison.MeanDifference, g.Comparison.CiLow, g.Comparison.CiHigh)).ToArray();
            if (items.Length == 0) continue;
            string rel = $"plots/diff_{metric}.png";
            ReportPlots.Differences(Path.Combine(folder, rel), $"{metric}: variant − baseline (green: lower error, red: higher)", items);
            list.Add((rel, $"{metric}: each variant − baseline with paired bootstrap 95 % CI, all splits and per split"));
        }
        return list;
    }

    // GT | every variant for the first training and sampling seed, GalleryClipsPerGroup clips per (scenario, split).
    private static List<(string Gif, string? Mp4, string Caption)> Gallery(StudyRun run, string folder)
    {
        var r = run.Result;
        var o = r.Options;
        var list = new List<(string, string?, string)>();
        if (o.GalleryClipsPerGroup == 0) return list;
        int train = r.FineTunes[0].Seed;
        long sample = o.SamplingSeeds[0];
        var chosen = run.Clips.GroupBy(c => (c.World.Scenario, c.World.Split, c.Condition, c.Mode))
            .SelectMany(g => o.GalleryClipsPerGroup < 0 ? g : g.Take(o.GalleryClipsPerGroup));
        foreach (var c in chosen)
        {
            string unit = $"{c.Id}~t{train}~s{sample}";
            var videos = new List<VideoFrames> { FrameConversions.ToVideo(c.Render(), c.World.Render.Fps) };
            videos.AddRange(o.Variants.Select(v => FrameConversions.ToVideo(run.Video(v, unit), c.World.Render.Fps)));
            var grid = VideoGrid.Compose(videos, ["GT", .. o.Variants.Select(Label)], scale: Math.Max(2, 128 / c.World.Render.Width));
            string gif = $"videos/{c.Id}.gif";
            VideoEncoder.Write(Path.Combine(folder, gif), grid);
            string? mp4 = null;
            if (o.WriteMp4) { mp4 = $"videos/{c.Id}.mp4"; VideoEncoder.Write(Path.Combine(folder, mp4), grid); }
            string given = c.Mode == StudyModes.TextToVideo ? "text-to-video" : $"first {o.GivenFrames} frames given";
            list.Add((gif, mp4, $"{c.Id} (train seed {train}, noise seed {StudyRunner.NoiseSeed(sample, c.Index)}; {given}): \"{c.World.Caption}\""));
        }
        return list;
    }

    private static string Label(string variant) => variant == "lamo" ? "LaMo" : variant;

    private static string Level(StudyResult r) => $"{r.Options.ConfidenceLevel * 100:0.##} %";
}
