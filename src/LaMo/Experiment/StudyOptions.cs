using System.Text.Json.Serialization;
using LaMo.Diffusion.Guidance;
using LaMo.Evaluation.Physics;
using LaMo.Motion;
using LaMo.World;

namespace LaMo.Experiment;

/// <summary>Everything that defines a study run (saved in <c>results.json</c>). Defaults are the <c>lamo experiment</c>
/// defaults at the demo's 64×64×17 size.</summary>
public sealed record StudyOptions
{
    /// <summary>Variant names in report order; the first must be <c>baseline</c>.</summary>
    public IReadOnlyList<string> Variants { get; init; } = StudyVariant.DefaultNames;

    /// <summary>Sampling seeds; each (clip, training seed) is generated once per sampling seed, identically for every variant.</summary>
    public IReadOnlyList<long> SamplingSeeds { get; init; } = [0, 1];

    /// <summary>Training seeds to use (null: every seed with both ft-baseline-s{n} and ft-lamo-s{n} in the models folder).</summary>
    public IReadOnlyList<int>? TrainSeeds { get; init; }

    /// <summary>Splits to sample (world split names: a standard one, or the name of one of <see cref="SplitFiles"/>).</summary>
    public IReadOnlyList<string> Splits { get; init; } = ["test-id", "test-ood-v"];

    /// <summary>Ranges of the splits named in <see cref="Splits"/> that are not standard (read from ranges files, as
    /// <c>lamo world generate --split FILE.json</c> reads them); the split name keys the clip seeds.</summary>
    public IReadOnlyList<SplitRanges> SplitFiles { get; init; } = [];

    /// <summary>World conditions; every clip is drawn once and rendered under each (paired conditions).</summary>
    public IReadOnlyList<StudyCondition> Conditions { get; init; } = [StudyCondition.V1];

    /// <summary>Sampling modes: <c>continuation</c> (the first <see cref="GivenFrames"/> given; core scenarios) and/or
    /// <c>text-to-video</c> (caption only; <see cref="TextToVideoScenarios"/>).</summary>
    public IReadOnlyList<string> Modes { get; init; } = [StudyModes.Continuation];

    /// <summary>Scenarios of the text-to-video clips (the protocol: S3, the one scenario with M3).</summary>
    public IReadOnlyList<Scenario> TextToVideoScenarios { get; init; } = [Scenario.Parabola];

    /// <summary>Text-to-video clips per scenario, split and condition.</summary>
    public int TextToVideoClips { get; init; } = 2;

    /// <summary>FlowMo's step size (the Adam learning rate of the released code).</summary>
    [JsonPropertyName("flowmo_step_size")] public double FlowMoStepSize { get; init; } = new FlowMoOptions().LearningRate;

    /// <summary>FlowMo's optimisation iterations per guided step.</summary>
    [JsonPropertyName("flowmo_iterations")] public int FlowMoIterations { get; init; } = new FlowMoOptions().Iterations;

    /// <summary>Coverage of the unadjusted (exploratory) two-level bootstrap intervals.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Metrics of the primary family (docs/results/study-v2.md: M1c and M3).</summary>
    public IReadOnlyList<string> PrimaryMetrics { get; init; } = ["m1c", "m3"];

    /// <summary>Split of the primary family.</summary>
    public string PrimarySplit { get; init; } = "test-id";

    /// <summary>Conditions pooled in the primary family (null: every condition).</summary>
    public IReadOnlyList<string>? PrimaryConditions { get; init; }

    /// <summary>Compute the clips each split, condition and primary metric needs (<see cref="StudySampleSize"/>) from this
    /// run's paired differences (meant for a validation run).</summary>
    public bool SampleSize { get; init; }

    /// <summary>Split on which the base model must pass the <see cref="QualityGate"/> before any test split is sampled (null: no gate).</summary>
    public string? GateSplit { get; init; }

    /// <summary>World seed of the gate's clips (null: <see cref="WorldSeed"/>; the protocol: 5151 for val-id).</summary>
    public ulong? GateWorldSeed { get; init; }

    /// <summary>Gate clips per core scenario and condition (null: <see cref="ClipsPerCoreScenario"/>; the protocol: 7).</summary>
    public int? GateClips { get; init; }

    /// <summary>Sample the test splits even when the gate is not met (the report then says so).</summary>
    public bool IgnoreGate { get; init; }

    /// <summary>Core scenarios S1–S5.</summary>
    public IReadOnlyList<Scenario> CoreScenarios { get; init; } = ScenarioNames.Core;

    /// <summary>Clips per core scenario and split.</summary>
    public int ClipsPerCoreScenario { get; init; } = 2;

    /// <summary>Clips per extended family and split (0 skips them).</summary>
    public int ClipsPerExtendedScenario { get; init; } = 1;

    /// <summary>World seed of the test clips.</summary>
    public ulong WorldSeed { get; init; } = 4242;

    /// <summary>Frame size (must match the models).</summary>
    public int Size { get; init; } = DefaultSize;

    /// <summary>Frame size of the shipped demo models (the demo recipe trains at this size).</summary>
    public const int DefaultSize = 32;

    /// <summary>RGB frames per clip (1 + 4k).</summary>
    public int Frames { get; init; } = 17;

    /// <summary>RGB frames given in continuation mode (5 fixes the first 2 latent frames).</summary>
    public int GivenFrames { get; init; } = 5;

    /// <summary>Denoising steps.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Classifier-free guidance scale.</summary>
    public double Cfg { get; init; } = 6.0;

    /// <summary>Motion Prior Guidance settings.</summary>
    public MotionPriorGuidanceOptions Guidance { get; init; } = MotionPriorGuidanceOptions.Default;

    /// <summary>Paired bootstrap resamples.</summary>
    public int BootstrapResamples { get; init; } = 1000;

    /// <summary>Write a labelled side-by-side mp4 (besides the GIF) per gallery clip.</summary>
    public bool WriteMp4 { get; init; }

    /// <summary>Gallery clips per (scenario, split) group (first training and sampling seed); 0 = none, -1 = every clip.</summary>
    public int GalleryClipsPerGroup { get; init; } = 1;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field breaks its rule (names it).</exception>
    public StudyOptions Validate()
    {
        if (Variants.Count == 0 || Variants[0] != StudyVariant.BaselineName)
            throw new ArgumentException($"variants must start with '{StudyVariant.BaselineName}'; got [{string.Join(", ", Variants)}]", nameof(Variants));
        foreach (var v in Variants) StudyVariant.Parse(v);
        if (Variants.Distinct().Count() != Variants.Count) throw new ArgumentException("variants must not repeat", nameof(Variants));
        if (SamplingSeeds.Count == 0) throw new ArgumentException("give at least one sampling seed", nameof(SamplingSeeds));
        if (TrainSeeds is { Count: 0 }) throw new ArgumentException("train seeds, when given, must not be empty", nameof(TrainSeeds));
        if (Splits.Count == 0) throw new ArgumentException("give at least one split", nameof(Splits));
        foreach (var s in Splits) Ranges(s);
        if (Splits.Distinct().Count() != Splits.Count) throw new ArgumentException("splits must not repeat", nameof(Splits));
        if (GateSplit is not null) Ranges(GateSplit);
        if (GateClips is < 1) throw new ArgumentException($"gate_clips ({GateClips}) must be >= 1", nameof(GateClips));
        if (SplitFiles.Select(f => f.Name).Distinct().Count() != SplitFiles.Count) throw new ArgumentException("two split files have the same name", nameof(SplitFiles));
        if (Conditions.Count == 0) throw new ArgumentException("give at least one condition", nameof(Conditions));
        foreach (var c in Conditions) c.Validate();
        if (Conditions.Select(c => c.Id).Distinct().Count() != Conditions.Count) throw new ArgumentException("condition ids must not repeat", nameof(Conditions));
        if (Conditions.Select(c => c.Label).Distinct().Count() != Conditions.Count) throw new ArgumentException("conditions must not repeat", nameof(Conditions));
        if (PrimaryConditions is not null && PrimaryConditions.FirstOrDefault(id => Conditions.All(c => c.Id != id)) is { } unknown)
            throw new ArgumentException($"primary condition '{unknown}' is not one of the conditions ({string.Join(", ", Conditions.Select(c => c.Id))})", nameof(PrimaryConditions));
        if (Modes.Count == 0 || Modes.Distinct().Count() != Modes.Count) throw new ArgumentException("give each mode once", nameof(Modes));
        foreach (var m in Modes) StudyModes.Check(m);
        foreach (var m in PrimaryMetrics) Evaluation.Physics.ClipPhysicsResult.Selector(m);
        if (TextToVideoClips < 0) throw new ArgumentException("text-to-video clips must be >= 0", nameof(TextToVideoClips));
        if (Modes.Contains(StudyModes.TextToVideo) && (TextToVideoClips == 0 || TextToVideoScenarios.Count == 0))
            throw new ArgumentException("text-to-video mode has no clips (text_to_video_clips and scenarios)", nameof(TextToVideoClips));
        if (!(FlowMoStepSize > 0) || double.IsInfinity(FlowMoStepSize)) throw new ArgumentException($"flowmo_step_size ({FlowMoStepSize}) must be > 0", nameof(FlowMoStepSize));
        if (FlowMoIterations < 1) throw new ArgumentException($"flowmo_iterations ({FlowMoIterations}) must be >= 1", nameof(FlowMoIterations));
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1)) throw new ArgumentException($"confidence_level ({ConfidenceLevel}) must be in (0, 1)", nameof(ConfidenceLevel));
        if (ClipsPerCoreScenario < 0 || ClipsPerExtendedScenario < 0) throw new ArgumentException("clip counts must be >= 0", nameof(ClipsPerCoreScenario));
        if (Modes.Contains(StudyModes.Continuation) && ClipsPerCoreScenario * CoreScenarios.Count + ClipsPerExtendedScenario == 0) throw new ArgumentException("the study has no clips", nameof(ClipsPerCoreScenario));
        if (Size <= 0 || Size % 16 != 0) throw new ArgumentException($"size ({Size}) must be a positive multiple of 16", nameof(Size));
        if (Frames < 5 || (Frames - 1) % 4 != 0) throw new ArgumentException($"frames ({Frames}) must be 1 + 4k and >= 5", nameof(Frames));
        if (GivenFrames < 1 || (GivenFrames - 1) % 4 != 0 || GivenFrames >= Frames)
            throw new ArgumentException($"given_frames ({GivenFrames}) must be 1 + 4k and < frames ({Frames})", nameof(GivenFrames));
        if (Steps < 1) throw new ArgumentException($"steps ({Steps}) must be >= 1", nameof(Steps));
        if (!(Cfg >= 0)) throw new ArgumentException($"cfg ({Cfg}) must be >= 0", nameof(Cfg));
        if (BootstrapResamples < 10) throw new ArgumentException($"bootstrap_resamples ({BootstrapResamples}) must be >= 10", nameof(BootstrapResamples));
        Guidance.Validate();
        return this;
    }

    /// <summary>The ranges of a split: standard by name, else the split file of that name.</summary>
    /// <exception cref="ArgumentException">Neither (lists what is known).</exception>
    public SplitRanges Ranges(string split) =>
        SplitFiles.FirstOrDefault(f => f.Name == split) ?? (SplitRanges.StandardNames.Contains(split) ? SplitRanges.Standard(split)
            : throw new ArgumentException($"unknown split '{split}'; expected one of {string.Join(", ", SplitRanges.StandardNames.Concat(SplitFiles.Select(f => f.Name)))} or a ranges JSON file", nameof(Splits)));

    /// <summary>True for the splits that hold test clips (their names start with <c>test</c>): the gate must pass before they are sampled.</summary>
    public static bool IsTestSplit(string split) => split.StartsWith("test", StringComparison.Ordinal);

    /// <summary>The FlowMo settings of the <c>flowmo</c> arm (window round(12/50·S) of S steps).</summary>
    public FlowMoOptions FlowMo() => StudyVariant.FlowMoFor(Steps) with { LearningRate = FlowMoStepSize, Iterations = FlowMoIterations };

    /// <summary>The variants as records, in order.</summary>
    public IReadOnlyList<StudyVariant> VariantList() => Variants.Select(StudyVariant.Parse).ToArray();
}
