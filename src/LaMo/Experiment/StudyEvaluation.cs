using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;

namespace LaMo.Experiment;

/// <summary>Turns a study's shards into figures: physics benchmark (arms + reference rows incl. the VAE floor), two-level paired
/// bootstraps (training seeds, then clips; conditions weighted equally) of each arm against the baseline per mode, split,
/// condition and scenario with the primary family at its Bonferroni level, per-seed differences, motion metrics, timings,
/// and the sample-size rule when asked. Everything is read from disk, so a resumed run gives the same figures.</summary>
public static class StudyEvaluation
{
    /// <summary>Split label of a mode in the physics tables (text-to-video units are tabulated apart).</summary>
    public static string SplitLabel(string mode, string split) => mode == StudyModes.TextToVideo ? $"{split} t2v" : split;

    /// <summary>Evaluates (see the type summary).</summary>
    public static StudyResult Evaluate(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips, StudyShards shards, QualityGateResult? gate = null)
    {
        var variants = o.VariantList();
        var units = Units(o, models, clips);
        var clipById = clips.ToDictionary(c => c.Id);

        // Arm rows from the shards, in unit order; t2v units get their split label.
        var armRows = new List<RowClipResults>();
        var motionRows = new List<MotionRow>();
        var seconds = new Dictionary<string, List<double>>();
        foreach (var v in variants)
        {
            var byUnit = new Dictionary<string, ClipPhysicsResult>();
            var motion = new MotionEvaluator(new MotionOptions());
            var secs = new List<double>();
            foreach (var pair in models.Pairs)
                foreach (var cell in clips.Select(c => c.Cell).Distinct())
                {
                    var shard = shards.Read(StudyRunner.Key(v, cell, pair));
                    foreach (var r in shard.Rows[0].Clips) byUnit[r.ClipId] = r with { Split = SplitLabel(cell.Mode, r.Split) };
                    foreach (var m in shard.Motion) motion.Add(m);
                    secs.AddRange(shard.Seconds);
                }
            armRows.Add(new RowClipResults(v.Name, units.Select(u => byUnit[u.Id]).ToArray()));
            motionRows.Add(MotionRow.Of(v.Name, motion.Compute()));
            seconds[v.Name] = secs;
        }

        // Reference rows: scored once per clip, repeated per unit so every row has the same units.
        var refByClip = new Dictionary<string, Dictionary<string, ClipPhysicsResult>>();
        var refMotion = new Dictionary<string, MotionEvaluator>();
        foreach (var cell in clips.Select(c => c.Cell).Distinct())
        {
            var shard = shards.Read(new StudyShardKey(StudyShards.Reference, cell, null));
            foreach (var row in shard.Rows)
                foreach (var r in row.Clips)
                    (refByClip.TryGetValue(row.Method, out var d) ? d : refByClip[row.Method] = [])[r.ClipId] = r with { Split = SplitLabel(cell.Mode, r.Split) };
            foreach (var m in shard.Motion)
            {
                string name = m.Video[..m.Video.IndexOf('|')];
                (refMotion.TryGetValue(name, out var e) ? e : refMotion[name] = new MotionEvaluator(new MotionOptions())).Add(m with { Video = m.Video[(m.Video.IndexOf('|') + 1)..] });
            }
        }
        var referenceOrder = new[] { ReferenceVideos.GroundTruthName, ReferenceVideos.CopyLastName, ReferenceVideos.ConstantVelocityName, ReferenceVideos.VaeName };
        var refRows = referenceOrder.Where(refByClip.ContainsKey).Select(name => new RowClipResults(name,
            units.Where(u => refByClip[name].ContainsKey(u.Clip)).Select(u => refByClip[name][u.Clip] with { ClipId = u.Id }).ToArray())).ToArray();
        var physicsOptions = StudyRunner.PhysicsFor(o, o.Modes[0]);
        var physics = PhysicsBenchmark.Summarise(physicsOptions, [.. armRows, .. refRows], armRows.Count);
        foreach (var name in referenceOrder.Where(refMotion.ContainsKey)) motionRows.Add(MotionRow.Of(name, refMotion[name].Compute()));

        var comparisons = Comparisons(o, variants, units, armRows);
        var versus = comparisons.Where(c => c.Versus == StudyVariant.BaselineName && c.Condition == "all" && c.Mode == "all")
            .Select(c => new GroupComparison(c.Scenario, c.Split, ToBootstrap(c))).ToArray();
        var perSeed = comparisons.Where(c => c.Versus == StudyVariant.BaselineName && c.Condition == "all" && c.Mode == "all" && c.Split == "all" && c.Scenario == "all")
            .SelectMany(c => models.Pairs.Select(p => new SeedDifference(c.Arm, p.Seed, c.Metric,
                UnitsOfSeed(units, armRows, c.Arm, c.Metric, p.Seed), c.Interval.SeedMeans.GetValueOrDefault(p.Seed, double.NaN)))).ToArray();

        double baseSeconds = seconds.TryGetValue(StudyVariant.BaselineName, out var bs) && bs.Count > 0 ? bs.Average() : double.NaN;
        var timing = variants.Select(v => v.Name).Where(v => seconds[v].Count > 0).Select(v => new VariantTiming(v, seconds[v].Count, seconds[v].Average(), seconds[v].Average() / baseSeconds)).ToArray();
        var sampleSizes = o.SampleSize ? SampleSizes(o, variants, units, armRows) : null;
        return new StudyResult(o, Machine(), models.Base, models.Pairs, units, physics, versus, perSeed, motionRows, timing, [], Notes(o, models, clips, gate),
            comparisons, gate, sampleSizes);
    }

    /// <summary>The units in evaluation order: per training seed, per clip, per sampling seed.</summary>
    public static IReadOnlyList<StudyUnit> Units(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips) =>
        models.Pairs.SelectMany(pair => clips.SelectMany(c => o.SamplingSeeds.Select(s => new StudyUnit(StudyRunner.UnitId(c, pair.Seed, s), c.Id,
            World.ScenarioNames.Name(c.World.Scenario), c.World.Split, pair.Seed, s, c.World.Caption, c.Condition, c.Mode)))).ToArray();

    /// <summary>The heatmaps the sampling stage wrote (read from the shards, so a resumed run lists them too).</summary>
    public static IReadOnlyList<(string Path, string Caption)> Heatmaps(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips, StudyShards shards) =>
        o.VariantList().Where(v => v.Guidance == VariantGuidance.MotionPrior).Take(1)
            .SelectMany(v => clips.Select(c => c.Cell).Distinct().SelectMany(cell => shards.Read(StudyRunner.Key(v, cell, models.Pairs[0])).Heatmaps))
            .Select(h => (h.Path, h.Caption)).ToArray();

    // The pairs of comparisons: every arm against the baseline, and +drift-nf against +drift (the protocol's sixth primary comparison).
    private static IEnumerable<(string Arm, string Versus)> Pairs(IReadOnlyList<StudyVariant> variants)
    {
        foreach (var v in variants.Skip(1)) yield return (v.Name, StudyVariant.BaselineName);
        if (variants.Any(v => v.Name == StudyVariant.DriftNoiseFloorName) && variants.Any(v => v.Name == "+drift")) yield return (StudyVariant.DriftNoiseFloorName, "+drift");
    }

    /// <summary>Primary family entries (metric, mode) present in this run: <c>m1c</c> in continuation, <c>m3</c> in text-to-video
    /// when the run has it (else continuation), any other metric in continuation.</summary>
    public static IReadOnlyList<(string Metric, string Mode)> PrimaryEntries(StudyOptions o) =>
        o.PrimaryMetrics.Select(m => (m, Mode: m == "m3" && o.Modes.Contains(StudyModes.TextToVideo) ? StudyModes.TextToVideo : StudyModes.Continuation))
            .Where(x => o.Modes.Contains(x.Mode) && o.Splits.Contains(o.PrimarySplit)).ToArray();

    /// <summary>Coverage of the primary family: Bonferroni 1 − (1 − level)/k over its k comparisons (0.05/12 for the protocol's twelve).</summary>
    public static double PrimaryLevel(StudyOptions o, int comparisons) => comparisons <= 1 ? o.ConfidenceLevel : 1 - (1 - o.ConfidenceLevel) / comparisons;

    // M3 is not read under a zoom in text-to-video mode (the generated camera is unknown; docs/results/study-v2.md, "Metrics").
    private static bool Defined(string metric, string mode, StudyCondition c) => !(metric == "m3" && mode == StudyModes.TextToVideo && c.Camera == "zoom");

    private static List<StudyComparison> Comparisons(StudyOptions o, IReadOnlyList<StudyVariant> variants, IReadOnlyList<StudyUnit> units, IReadOnlyList<RowClipResults> rows)
    {
        var byArm = rows.ToDictionary(r => r.Method, r => r.Clips.ToDictionary(c => c.ClipId));
        var unitById = units.ToDictionary(u => u.Id);
        var conditions = o.Conditions.ToDictionary(c => c.Id);
        var list = new List<StudyComparison>();
        var primary = PrimaryEntries(o);
        var pairs = Pairs(variants).ToArray();
        double primaryLevel = PrimaryLevel(o, primary.Count * pairs.Length);
        var primaryConditions = o.PrimaryConditions ?? o.Conditions.Select(c => c.Id).ToArray();

        void Add(string arm, string versus, string metric, string mode, string split, string condition, string scenario, Func<StudyUnit, bool> keep, bool isPrimary = false)
        {
            var sel = ClipPhysicsResult.Selector(metric);
            var a = byArm[arm];
            var b = byArm[versus];
            var diffs = new List<PairedDifference>();
            foreach (var u in units)
            {
                if (!keep(u) || !Defined(metric, u.Mode, conditions[u.Condition])) continue;
                if (sel(a[u.Id]) is { } x && sel(b[u.Id]) is { } y) diffs.Add(new PairedDifference(u.TrainSeed, u.Condition, x - y));
            }
            double level = isPrimary ? primaryLevel : o.ConfidenceLevel;
            var interval = diffs.Count == 0
                ? new TwoLevelInterval(0, double.NaN, double.NaN, double.NaN, level, new Dictionary<int, double>(), o.BootstrapResamples, 1234)
                : TwoLevelBootstrap.Compute(diffs, level, o.BootstrapResamples);
            list.Add(new StudyComparison(arm, versus, metric, mode, split, condition, scenario, isPrimary, Median(diffs.Select(d => d.Difference)), interval));
        }

        var cells = units.Select(u => (u.Mode, u.Split)).Distinct().ToArray();
        foreach (var (arm, versus) in pairs)
        {
            foreach (var (metric, mode) in primary)
                Add(arm, versus, metric, mode, o.PrimarySplit, "primary", "all",
                    u => u.Mode == mode && u.Split == o.PrimarySplit && primaryConditions.Contains(u.Condition), isPrimary: true);
            foreach (var metric in StudyResult.ComparedMetrics)
            {
                // Pooled over modes (label "all"): overall, per split label, per scenario, per (scenario, split label) — the report's tables.
                Add(arm, versus, metric, "all", "all", "all", "all", _ => true);
                foreach (var (mode, split) in cells)
                    Add(arm, versus, metric, "all", SplitLabel(mode, split), "all", "all", u => u.Mode == mode && u.Split == split);
                foreach (var scenario in units.Select(u => u.Scenario).Distinct().Order(StringComparer.Ordinal))
                {
                    Add(arm, versus, metric, "all", "all", "all", scenario, u => u.Scenario == scenario);
                    foreach (var (mode, split) in cells.Where(c => units.Any(u => u.Scenario == scenario && u.Mode == c.Mode && u.Split == c.Split)))
                        Add(arm, versus, metric, "all", SplitLabel(mode, split), "all", scenario, u => u.Scenario == scenario && u.Mode == mode && u.Split == split);
                }
                // Per mode, split and condition (the condition × split × arm tables), conditions pooled with equal weight.
                foreach (var (mode, split) in cells)
                {
                    Add(arm, versus, metric, mode, split, "all", "all", u => u.Mode == mode && u.Split == split);
                    if (o.Conditions.Count > 1)
                        foreach (var c in o.Conditions)
                            Add(arm, versus, metric, mode, split, c.Id, "all", u => u.Mode == mode && u.Split == split && u.Condition == c.Id);
                }
            }
        }
        return list;
    }

    private static List<StudySampleSizeRow> SampleSizes(StudyOptions o, IReadOnlyList<StudyVariant> variants, IReadOnlyList<StudyUnit> units, IReadOnlyList<RowClipResults> rows)
    {
        var byArm = rows.ToDictionary(r => r.Method, r => r.Clips.ToDictionary(c => c.ClipId));
        var conditions = o.Conditions.ToDictionary(c => c.Id);
        var list = new List<StudySampleSizeRow>();
        foreach (var (metric, mode) in o.PrimaryMetrics.Select(m => (m, m == "m3" && o.Modes.Contains(StudyModes.TextToVideo) ? StudyModes.TextToVideo : StudyModes.Continuation)))
            foreach (var split in o.Splits)
                foreach (var c in o.Conditions)
                {
                    if (!o.Modes.Contains(mode) || !Defined(metric, mode, c)) continue;
                    var sel = ClipPhysicsResult.Selector(metric);
                    var cell = units.Where(u => u.Mode == mode && u.Split == split && u.Condition == c.Id).ToArray();
                    var baseValues = cell.Select(u => sel(byArm[StudyVariant.BaselineName][u.Id])).OfType<double>().ToArray();
                    StudySampleSizeRow? worst = null;
                    foreach (var v in variants.Skip(1))
                    {
                        var d = cell.Select(u => (sel(byArm[v.Name][u.Id]), sel(byArm[StudyVariant.BaselineName][u.Id]))).Where(p => p.Item1 is not null && p.Item2 is not null)
                            .Select(p => p.Item1!.Value - p.Item2!.Value).ToArray();
                        if (d.Length < 2 || baseValues.Length == 0 || baseValues.Average() == 0) continue;
                        double sd = StudySampleSize.StandardDeviation(d);
                        if (worst is null || sd > worst.SdDifference)
                            worst = new StudySampleSizeRow(mode, split, c.Id, metric, StudySampleSize.Required(d, baseValues.Average()), v.Name, sd, baseValues.Average(), d.Length);
                    }
                    if (worst is not null) list.Add(worst);
                }
        return list;
    }

    private static int UnitsOfSeed(IReadOnlyList<StudyUnit> units, IReadOnlyList<RowClipResults> rows, string arm, string metric, int seed)
    {
        var sel = ClipPhysicsResult.Selector(metric);
        var a = rows.First(r => r.Method == arm).Clips;
        var b = rows.First(r => r.Method == StudyVariant.BaselineName).Clips;
        int n = 0;
        for (int i = 0; i < units.Count; i++)
            if (units[i].TrainSeed == seed && sel(a[i]) is not null && sel(b[i]) is not null) n++;
        return n;
    }

    /// <summary>A comparison in the shape of the one-level table rows (CI bounds at the comparison's level).</summary>
    public static BootstrapComparison ToBootstrap(StudyComparison c) => new(c.Metric, c.Arm, c.Versus, c.Interval.Units, c.Interval.Mean,
        c.MedianDifference, c.Interval.Low, c.Interval.High, c.Interval.Resamples, c.Interval.Seed);

    private static double Median(IEnumerable<double> xs)
    {
        var a = xs.Order().ToArray();
        if (a.Length == 0) return double.NaN;
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    private static List<string> Notes(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips, QualityGateResult? gate)
    {
        var notes = new List<string>
        {
            $"Bootstrap: two levels (training seeds drawn with replacement, then each drawn seed's units — clip × sampling seed — within each condition), conditions weighted equally, {o.BootstrapResamples} resamples, percentile CIs at {o.ConfidenceLevel:0.###} (the primary family at its Bonferroni level); with few training seeds the seed level is coarse: read the per-seed means beside each CI.",
            "Reference rows (gt_floor, vae_floor, copy_last, const_velocity) repeat per seed; their values do not depend on the seed.",
        };
        if (models.Pairs.Count < 3) notes.Add($"Only {models.Pairs.Count} training seed(s): docs/physics-benchmark.md asks for at least 3 before claiming an improvement.");
        int minGroup = clips.GroupBy(c => (c.World.Scenario, c.World.Split, c.Condition, c.Mode)).Min(g => g.Count());
        if (minGroup < 128) notes.Add($"Small sample: as few as {minGroup} clip(s) per (scenario, split, condition); the study-v2 protocol needs at least 128 per split and condition. Treat CIs as indicative.");
        if (o.Variants.Contains("flowmo")) notes.Add($"flowmo: FlowMo guidance (step size {o.FlowMoStepSize:0.#####}, {o.FlowMoIterations} iteration(s), guided window round(12/50·S) of S steps) on the ft-baseline LoRA.");
        if (gate is { Passes: false })
            notes.Add(o.Splits.Any(StudyOptions.IsTestSplit)
                ? $"The base model did NOT meet the quality gate ({StudyRunner.Describe(gate)}); test clips were sampled only because --ignore-gate was given: no comparison here is a finding."
                : $"The base model did not meet the quality gate ({StudyRunner.Describe(gate)}).");
        return notes;
    }

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, TorchSharp-cpu";
}
