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
public sealed record StudyUnit(string Id, string Clip, string Scenario, string Split, int TrainSeed, long SamplingSeed, string Caption);

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
public sealed record StudyResult(StudyOptions Options, string Machine, string BasePipeline, IReadOnlyList<FineTunePair> FineTunes,
    IReadOnlyList<StudyUnit> Units, PhysicsBenchmarkResult Physics, IReadOnlyList<GroupComparison> VersusBaseline,
    IReadOnlyList<SeedDifference> PerSeed, IReadOnlyList<MotionRow> Motion, IReadOnlyList<VariantTiming> Timing,
    IReadOnlyList<StageTiming> Stages, IReadOnlyList<string> Notes)
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

    private static readonly HashSet<string> PathKeys = new(StringComparer.Ordinal) { "base_pipeline", "baseline_lora", "lamo_lora", "lamo_predictor" };

    /// <summary>Overall summary of a row.</summary>
    public GroupSummary Overall(string row) => Physics.Rows.First(r => r.Method == row).Overall;

    /// <summary>Motion row by name, or null.</summary>
    public MotionRow? MotionOf(string row) => Motion.FirstOrDefault(m => m.Row == row);
}
