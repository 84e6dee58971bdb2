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

/// <summary>One arm of the study: which LoRA fine-tune (with or without the Motion Drift Loss) and which guidance.</summary>
/// <param name="Name">Row name (<c>baseline</c>, <c>+drift</c>, <c>+guidance</c>, <c>lamo</c>, <c>flowmo</c>).</param>
/// <param name="DriftLora">Use the ft-lamo LoRA (trained with the Motion Drift Loss) instead of ft-baseline.</param>
/// <param name="Guidance">Sampling-time guidance.</param>
/// <param name="Description">One line for the report.</param>
public sealed record StudyVariant(string Name, bool DriftLora, VariantGuidance Guidance, string Description)
{
    /// <summary>The reference arm every other is compared with.</summary>
    public const string BaselineName = "baseline";

    /// <summary>The study's arms in report order (the paper's ablation plus FlowMo).</summary>
    public static IReadOnlyList<StudyVariant> All { get; } =
    [
        new(BaselineName, false, VariantGuidance.None, "ft-baseline LoRA (same steps, no LaMo), no guidance"),
        new("+drift", true, VariantGuidance.None, "ft-lamo LoRA (Motion Drift Loss), no guidance"),
        new("+guidance", false, VariantGuidance.MotionPrior, "ft-baseline LoRA + Motion Prior Guidance (ft-lamo predictor, same seed)"),
        new("lamo", true, VariantGuidance.MotionPrior, "ft-lamo LoRA + Motion Prior Guidance (full LaMo)"),
        new("flowmo", false, VariantGuidance.FlowMo, "ft-baseline LoRA + FlowMo (training-free, through the backbone)"),
    ];

    /// <summary>Looks a variant up by name.</summary>
    /// <exception cref="ArgumentException">Unknown name (lists the known ones).</exception>
    public static StudyVariant Parse(string name) =>
        All.FirstOrDefault(v => v.Name == name.Trim())
        ?? throw new ArgumentException($"unknown variant '{name}'; expected one of {string.Join(", ", All.Select(v => v.Name))}", nameof(name));

    /// <summary>A fresh guidance term for one generation (FlowMo keeps optimiser state, so never share one), or null.</summary>
    /// <param name="prior">The ft-lamo predictor of the same training seed (needed for <see cref="VariantGuidance.MotionPrior"/>).</param>
    /// <param name="mpg">Motion Prior Guidance settings.</param>
    /// <param name="steps">Denoising steps S of the run (FlowMo's window is scaled from its 12-of-50 default).</param>
    /// <exception cref="InvalidOperationException">Motion Prior Guidance without a predictor.</exception>
    public IGuidance? CreateGuidance(MotionPrior? prior, MotionPriorGuidanceOptions mpg, int steps) => Guidance switch
    {
        VariantGuidance.None => null,
        VariantGuidance.MotionPrior => new MotionPriorGuidance(prior ?? throw new InvalidOperationException($"variant {Name} needs the ft-lamo predictor"), mpg),
        VariantGuidance.FlowMo => CreateFlowMo(steps),
        _ => throw new NotSupportedException($"guidance {Guidance}"),
    };

    /// <summary>FlowMo with its released defaults, the guided window scaled to S steps: round(12/50 · S), at least 1.</summary>
    public static IGuidance CreateFlowMo(int steps)
    {
        var defaults = new FlowMoOptions();
        int guided = Math.Max(1, (int)Math.Round(defaults.GuidedSteps * steps / 50.0, MidpointRounding.AwayFromZero));
        return new FlowMoGuidance(defaults with { GuidedSteps = guided });
    }
}
