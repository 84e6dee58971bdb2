using LaMo.Diffusion;
using LaMo.Diffusion.Guidance;
using LaMo.Motion;

namespace LaMo.Experiment;

/// <summary>Which sampling-time guidance a variant adds after classifier-free guidance.</summary>
public enum VariantGuidance
{
    /// <summary>None.</summary>
    None,
    /// <summary>Motion Prior Guidance with the ft-lamo predictor of the same training seed (docs/method.md §3).</summary>
    MotionPrior,
    /// <summary>FlowMo (training-free variance guidance through the backbone).</summary>
    FlowMo,
}

/// <summary>Which fine-tune of a training seed an arm samples with.</summary>
public enum VariantLora
{
    /// <summary>ft-baseline: denoising loss only.</summary>
    Baseline,
    /// <summary>ft-lamo: + the Motion Drift Loss with the published denominator, predictor trained jointly.</summary>
    Drift,
    /// <summary>ft-drift-nf: + the Motion Drift Loss with the noise-floor denominator (docs/method.md, "Our extension").</summary>
    DriftNoiseFloor,
}

/// <summary>One arm of the study: which LoRA fine-tune and which guidance.</summary>
/// <param name="Name">Row name (<c>baseline</c>, <c>+drift</c>, <c>+guidance</c>, <c>lamo</c>, <c>flowmo</c>, <c>+drift-nf</c>).</param>
/// <param name="Lora">The fine-tune it samples with.</param>
/// <param name="Guidance">Sampling-time guidance.</param>
/// <param name="Description">One line for the report.</param>
public sealed record StudyVariant(string Name, VariantLora Lora, VariantGuidance Guidance, string Description)
{
    /// <summary>Samples with a fine-tune trained with a drift loss (either denominator).</summary>
    public bool DriftLora => Lora != VariantLora.Baseline;

    /// <summary>The reference arm every other is compared with.</summary>
    public const string BaselineName = "baseline";

    /// <summary>The study's arms in report order (the paper's ablation plus FlowMo).</summary>
    public static IReadOnlyList<StudyVariant> All { get; } =
    [
        new(BaselineName, VariantLora.Baseline, VariantGuidance.None, "ft-baseline LoRA (same steps, no LaMo), no guidance"),
        new("+drift", VariantLora.Drift, VariantGuidance.None, "ft-lamo LoRA (Motion Drift Loss), no guidance"),
        new("+guidance", VariantLora.Baseline, VariantGuidance.MotionPrior, "ft-baseline LoRA + Motion Prior Guidance (ft-lamo predictor, same seed)"),
        new("lamo", VariantLora.Drift, VariantGuidance.MotionPrior, "ft-lamo LoRA + Motion Prior Guidance (full LaMo)"),
        new("flowmo", VariantLora.Baseline, VariantGuidance.FlowMo, "ft-baseline LoRA + FlowMo (training-free, through the backbone)"),
        new(DriftNoiseFloorName, VariantLora.DriftNoiseFloor, VariantGuidance.None, "ft-drift-nf LoRA (Motion Drift Loss, noise-floor denominator), no guidance"),
    ];

    /// <summary>The arm of our noise-floor drift denominator (not run unless named in the variants).</summary>
    public const string DriftNoiseFloorName = "+drift-nf";

    /// <summary>The arms run when none are named: every arm but <see cref="DriftNoiseFloorName"/> (it needs its own fine-tunes).</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = All.Where(v => v.Name != DriftNoiseFloorName).Select(v => v.Name).ToArray();

    /// <summary>Looks a variant up by name.</summary>
    /// <exception cref="ArgumentException">Unknown name (lists the known ones).</exception>
    public static StudyVariant Parse(string name) =>
        All.FirstOrDefault(v => v.Name == name.Trim())
        ?? throw new ArgumentException($"unknown variant '{name}'; expected one of {string.Join(", ", All.Select(v => v.Name))}", nameof(name));

    /// <summary>A fresh guidance term for one generation (FlowMo keeps optimiser state, so never share one), or null.</summary>
    /// <param name="prior">The ft-lamo predictor of the same training seed (needed for <see cref="VariantGuidance.MotionPrior"/>).</param>
    /// <param name="mpg">Motion Prior Guidance settings.</param>
    /// <param name="flowMo">FlowMo settings (<see cref="StudyOptions.FlowMo"/>).</param>
    /// <exception cref="InvalidOperationException">Motion Prior Guidance without a predictor.</exception>
    public IGuidance? CreateGuidance(MotionPrior? prior, MotionPriorGuidanceOptions mpg, FlowMoOptions flowMo) => Guidance switch
    {
        VariantGuidance.None => null,
        VariantGuidance.MotionPrior => new MotionPriorGuidance(prior ?? throw new InvalidOperationException($"variant {Name} needs the ft-lamo predictor"), mpg),
        VariantGuidance.FlowMo => new FlowMoGuidance(flowMo),
        _ => throw new NotSupportedException($"guidance {Guidance}"),
    };

    /// <summary>FlowMo with its released defaults, the guided window scaled to S steps: round(12/50 · S), at least 1.</summary>
    public static IGuidance CreateFlowMo(int steps) => new FlowMoGuidance(FlowMoFor(steps));

    /// <summary>The released defaults with the guided window scaled to S steps: round(12/50 · S), at least 1.</summary>
    public static FlowMoOptions FlowMoFor(int steps)
    {
        var defaults = new FlowMoOptions();
        int guided = Math.Max(1, (int)Math.Round(defaults.GuidedSteps * steps / 50.0, MidpointRounding.AwayFromZero));
        return defaults with { GuidedSteps = guided };
    }
}
