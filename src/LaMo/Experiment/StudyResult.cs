using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;

namespace LaMo.Experiment;

/// <summary>A paired bootstrap of one variant against the baseline within one (scenario, split) group.</summary>
/// <param name="Scenario">Scenario name or <c>all</c>.</param>
/// <param name="Split">Split name or <c>all</c>.</param>
/// <param name="Comparison">variant − baseline (negative = lower error than the baseline).</param>
public sealed record GroupComparison(string Scenario, string Split, BootstrapComparison Comparison);

/// <summary>Mean variant − baseline difference of one metric over the units of one training seed (consistency across seeds).</summary>
/// <param name="Variant">Variant.</param>
/// <param name="TrainSeed">Training seed.</param>
/// <param name="Metric">Metric.</param>
/// <param name="Pairs">Units with a value for both.</param>
/// <param name="MeanDifference">Mean of variant − baseline.</param>
public sealed record SeedDifference(string Variant, int TrainSeed, string Metric, int Pairs, double MeanDifference);

/// <summary>Sampling cost of one variant.</summary>
/// <param name="Variant">Variant.</param>
/// <param name="Videos">Videos generated.</param>
/// <param name="MeanSecondsPerVideo">Mean wall time per video (generation incl. decode).</param>
/// <param name="OverheadVsBaseline">Mean seconds / the baseline's mean seconds.</param>
public sealed record VariantTiming(string Variant, int Videos, double MeanSecondsPerVideo, double OverheadVsBaseline);

/// <summary>Motion metrics (VBench-style) of one row.</summary>
/// <param name="Row">Variant or reference row.</param>
/// <param name="Videos">Videos scored.</param>
/// <param name="Smoothness">Mean motion smoothness.</param>
/// <param name="DynamicDegree">Fraction judged dynamic.</param>
/// <param name="Flickering">Mean temporal-flickering score.</param>
/// <param name="SubjectConsistency">Mean subject-consistency proxy.</param>
public sealed record MotionRow(string Row, int Videos, double Smoothness, double DynamicDegree, double Flickering, double SubjectConsistency)
{
    /// <summary>Summarises a motion report.</summary>
    public static MotionRow Of(string row, MotionReport r) => new(row, r.Videos.Count, r.MeanSmoothness, r.DynamicDegree, r.MeanFlickering, r.MeanSubjectConsistency);
}

/// <summary>Wall time of one stage of a run.</summary>
/// <param name="Stage">Stage name.</param>
/// <param name="Seconds">Seconds.</param>
public sealed record StageTiming(string Stage, double Seconds);

/// <summary>One evaluated unit: a ground-truth clip under one training seed and one sampling seed.</summary>
/// <param name="Id">Unit id (<c>{clip}~t{train}~s{sample}</c>), the pairing key of the bootstrap.</param>
/// <param name="Clip">Clip id.</param>
/// <param name="Scenario">Scenario name.</param>
/// <param name="Split">Split.</param>
/// <param name="TrainSeed">Training seed.</param>
/// <param name="SamplingSeed">Sampling seed (the noise seed is derived from it and the clip index).</param>
/// <param name="Caption">Prompt.</param>
/// <param name="Condition">Condition id.</param>
/// <param name="Mode">Sampling mode.</param>
public sealed record StudyUnit(string Id, string Clip, string Scenario, string Split, int TrainSeed, long SamplingSeed, string Caption,
    string Condition = "C0", string Mode = StudyModes.Continuation);

/// <summary>A two-level paired bootstrap (training seeds, then clips; conditions weighted equally) of one arm against another.</summary>
/// <param name="Arm">Arm A.</param>
/// <param name="Versus">Arm B (the baseline, or <c>+drift</c> for <c>+drift-nf</c>).</param>
/// <param name="Metric">Metric.</param>
/// <param name="Mode">Sampling mode.</param>
/// <param name="Split">Split, or <c>all</c>.</param>
/// <param name="Condition">Condition id, <c>all</c> (every condition, equal weight) or <c>primary</c> (the primary conditions).</param>
/// <param name="Scenario">Scenario, or <c>all</c>.</param>
/// <param name="Primary">Part of the primary family (its level is Bonferroni-adjusted).</param>
/// <param name="MedianDifference">Median of the paired differences.</param>
/// <param name="Interval">Mean difference, CI and the per-seed means.</param>
public sealed record StudyComparison(string Arm, string Versus, string Metric, string Mode, string Split, string Condition, string Scenario,
    bool Primary, double MedianDifference, TwoLevelInterval Interval);

/// <summary>Clips needed per split, condition and primary metric (docs/results/study-v2.md, "Sample size").</summary>
/// <param name="Mode">Mode.</param>
/// <param name="Split">Split the differences come from.</param>
/// <param name="Condition">Condition.</param>
/// <param name="Metric">Primary metric.</param>
/// <param name="Clips">n = max(128, ⌈(1.96·sd_diff / (0.1·mean_base))²⌉), from the arm with the largest sd_diff.</param>
/// <param name="Arm">That arm.</param>
/// <param name="SdDifference">Its sd of the paired differences.</param>
/// <param name="BaselineMean">The baseline's mean of the metric.</param>
/// <param name="Pairs">Its paired units.</param>
public sealed record StudySampleSizeRow(string Mode, string Split, string Condition, string Metric, int Clips, string Arm, double SdDifference, double BaselineMean, int Pairs);

/// <summary>Every figure of a study run; serialised as <c>results.json</c>.</summary>
/// <param name="Options">Options of the run.</param>
/// <param name="Machine">Machine description.</param>
/// <param name="BasePipeline">Base pipeline folder.</param>
/// <param name="FineTunes">Fine-tune pairs used.</param>
/// <param name="Units">Evaluated units.</param>
/// <param name="Physics">Physics benchmark (variants and reference rows, per unit and per group).</param>
/// <param name="VersusBaseline">Paired bootstraps variant − baseline, overall and per (scenario, split).</param>
/// <param name="PerSeed">Per-training-seed mean differences.</param>
/// <param name="Motion">Motion metrics per row.</param>
/// <param name="Timing">Sampling cost per variant.</param>
/// <param name="Stages">Stage wall times.</param>
/// <param name="Notes">Things a reader must know (skipped variants, small samples).</param>
/// <param name="Comparisons">Two-level bootstraps per arm, metric, mode, split, condition (and pooled), scenario; the primary family marked.</param>
/// <param name="Gate">The base model's quality gate, when the run had one.</param>
/// <param name="SampleSizes">Clips needed per split, condition and primary metric, when asked.</param>
public sealed record StudyResult(StudyOptions Options, string Machine, string BasePipeline, IReadOnlyList<FineTunePair> FineTunes,
    IReadOnlyList<StudyUnit> Units, PhysicsBenchmarkResult Physics, IReadOnlyList<GroupComparison> VersusBaseline,
    IReadOnlyList<SeedDifference> PerSeed, IReadOnlyList<MotionRow> Motion, IReadOnlyList<VariantTiming> Timing,
    IReadOnlyList<StageTiming> Stages, IReadOnlyList<string> Notes, IReadOnlyList<StudyComparison>? Comparisons = null,
    QualityGateResult? Gate = null, IReadOnlyList<StudySampleSizeRow>? SampleSizes = null)
{
    /// <summary>Metrics compared against the baseline (referenced and law-free side by side).</summary>
    public static IReadOnlyList<string> ComparedMetrics { get; } = ["failure", "m1_with_failures", "m1c", "m2", "m3", "m7_residual_px", "m9_jerk", "m9_frozen", "m8_st_iou"];

    /// <summary>The result as indented snake_case JSON (NaN as "NaN").</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PhysicsBenchmarkResult.JsonOptions);

    /// <summary>The result as written to <c>results.json</c> in <paramref name="folder"/>: <see cref="ToJson()"/> with the
    /// model paths (base pipeline, LoRA files, predictor folders) relative to that folder, so the file names no folder
    /// of the machine that made it (resolve them against the results folder).</summary>
    public string ToJson(string folder)
    {
        var node = JsonNode.Parse(ToJson())!;
        ArtifactPaths.RelativeFields(node, folder, PathKeys);
        node["paths_relative_to"] = "the folder of this file";
        return node.ToJsonString(PhysicsBenchmarkResult.JsonOptions);
    }

    private static readonly HashSet<string> PathKeys = new(StringComparer.Ordinal) { "base_pipeline", "baseline_lora", "lamo_lora", "lamo_predictor", "drift_noise_floor_lora" };

    /// <summary>Overall summary of a row.</summary>
    public GroupSummary Overall(string row) => Physics.Rows.First(r => r.Method == row).Overall;

    /// <summary>Motion row by name, or null.</summary>
    public MotionRow? MotionOf(string row) => Motion.FirstOrDefault(m => m.Row == row);
}
