using System.Text.Json.Serialization;

namespace LaMo.Diffusion.Backbones;

/// <summary>How a flow-matching family draws training σ, after finetrainers' <c>flow_weighting_scheme</c>
/// (<c>prepare_sigmas</c> / diffusers' <c>compute_density_for_timestep_sampling</c>): a number u ∈ [0, 1) is drawn and
/// σ = table[⌊u·N⌋] is read from the shifted training table (descending from 1), so the flow shift applies to
/// every scheme.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FlowSigmaScheme>))]
public enum FlowSigmaScheme
{
    /// <summary>u ~ U[0, 1) (finetrainers' <c>none</c>): uniform over the shifted table — "uniform with shift".</summary>
    Uniform,

    /// <summary>u = sigmoid(z), z ~ N(mean, std) (finetrainers' / SD3's <c>logit_normal</c>).</summary>
    LogitNormal,
}

/// <summary>The training-σ draw of a flow family.</summary>
/// <param name="Scheme">How u is drawn.</param>
/// <param name="LogitMean">Mean of z for <see cref="FlowSigmaScheme.LogitNormal"/> (finetrainers' <c>flow_logit_mean</c>, 0).</param>
/// <param name="LogitStd">Std of z for <see cref="FlowSigmaScheme.LogitNormal"/> (finetrainers' <c>flow_logit_std</c>, 1).</param>
public sealed record FlowSigmaSampling(FlowSigmaScheme Scheme = FlowSigmaScheme.Uniform, double LogitMean = 0.0, double LogitStd = 1.0)
{
    /// <summary>Checks the fields; returns this.</summary>
    /// <exception cref="ArgumentException">A field is out of range (named).</exception>
    public FlowSigmaSampling Validate()
    {
        if (!Enum.IsDefined(Scheme)) throw new ArgumentException($"flow σ scheme {Scheme} is not known", nameof(Scheme));
        if (!double.IsFinite(LogitMean)) throw new ArgumentException($"LogitMean ({LogitMean}) must be finite", nameof(LogitMean));
        if (!(LogitStd > 0) || double.IsInfinity(LogitStd)) throw new ArgumentException($"LogitStd ({LogitStd}) must be positive and finite", nameof(LogitStd));
        return this;
    }
}
