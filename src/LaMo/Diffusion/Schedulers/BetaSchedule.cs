using System.Text.Json.Serialization;

namespace LaMo.Diffusion.Schedulers;

/// <summary>How the training betas are laid out (diffusers <c>beta_schedule</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BetaSchedule>))]
public enum BetaSchedule
{
    /// <summary>β linear from <c>beta_start</c> to <c>beta_end</c> (diffusers computes it in float32).</summary>
    [JsonStringEnumMemberName("linear")] Linear,

    /// <summary>√β linear, then squared, in float64: the latent-diffusion / CogVideoX schedule.</summary>
    [JsonStringEnumMemberName("scaled_linear")] ScaledLinear,

    /// <summary>The Glide cosine schedule (β capped at 0.999), in float32 as diffusers does.</summary>
    [JsonStringEnumMemberName("squaredcos_cap_v2")] SquaredCosCapV2,
}
