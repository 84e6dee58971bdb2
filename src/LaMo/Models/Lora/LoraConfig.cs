namespace LaMo.Models.Lora;

/// <summary>Which layers get adapters and how large they are.</summary>
/// <param name="Rank">r, the inner width of each adapter.</param>
/// <param name="Alpha">α; updates are scaled by α / r (PEFT's <c>lora_alpha</c>).</param>
/// <param name="TargetModules">Module-name suffixes, matched like PEFT's list form: a module matches when its
/// dotted name equals a target or ends with <c>"." + target</c>. Defaults to <see cref="DefaultTargets"/>.</param>
public sealed record LoraConfig(int Rank = 16, double Alpha = 16, IReadOnlyList<string>? TargetModules = null)
{
    /// <summary>The diffusers CogVideoX LoRA example's targets: every block's attention projections.</summary>
    public static IReadOnlyList<string> DefaultTargets { get; } = ["to_q", "to_k", "to_v", "to_out.0"];

    /// <summary>Targets after applying the default.</summary>
    public IReadOnlyList<string> ResolvedTargets => TargetModules ?? DefaultTargets;

    /// <summary>True when the module named <paramref name="moduleName"/> should get an adapter.</summary>
    public bool Matches(string moduleName) =>
        ResolvedTargets.Any(t => moduleName == t || moduleName.EndsWith("." + t, StringComparison.Ordinal));

    /// <summary>Checks rank, alpha and targets.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public LoraConfig Validate()
    {
        if (Rank <= 0 || Rank > 65536) throw new ArgumentException($"Rank ({Rank}) must be in [1, 65536]", nameof(Rank));
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"Alpha ({Alpha}) must be positive and finite", nameof(Alpha));
        if (ResolvedTargets.Count == 0 || ResolvedTargets.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("TargetModules must hold at least one non-empty name", nameof(TargetModules));
        return this;
    }
}
