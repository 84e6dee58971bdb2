using LaMo.Motion;
using LaMo.World;

namespace LaMo.Experiment;

/// <summary>Everything that defines a study run (saved in <c>results.json</c>). Defaults are the <c>lamo experiment</c>
/// defaults at the demo's 64×64×17 size.</summary>
public sealed record StudyOptions
{
    /// <summary>Variant names in report order; the first must be <c>baseline</c>.</summary>
    public IReadOnlyList<string> Variants { get; init; } = StudyVariant.All.Select(v => v.Name).ToArray();

    /// <summary>Sampling seeds; each (clip, training seed) is generated once per sampling seed, identically for every variant.</summary>
    public IReadOnlyList<long> SamplingSeeds { get; init; } = [0, 1];

    /// <summary>Training seeds to use (null: every seed with both ft-baseline-s{n} and ft-lamo-s{n} in the models folder).</summary>
    public IReadOnlyList<int>? TrainSeeds { get; init; }

    /// <summary>Test splits (world split names).</summary>
    public IReadOnlyList<string> Splits { get; init; } = ["test-id", "test-ood-v"];

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
        foreach (var s in Splits) SplitRanges.Standard(s);
        if (ClipsPerCoreScenario < 0 || ClipsPerExtendedScenario < 0) throw new ArgumentException("clip counts must be >= 0", nameof(ClipsPerCoreScenario));
        if (ClipsPerCoreScenario * CoreScenarios.Count + ClipsPerExtendedScenario == 0) throw new ArgumentException("the study has no clips", nameof(ClipsPerCoreScenario));
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

    /// <summary>The variants as records, in order.</summary>
    public IReadOnlyList<StudyVariant> VariantList() => Variants.Select(StudyVariant.Parse).ToArray();
}
