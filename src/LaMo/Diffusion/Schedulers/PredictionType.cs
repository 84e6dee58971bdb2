using System.Text.Json.Serialization;

namespace LaMo.Diffusion.Schedulers;

/// <summary>What the denoiser predicts (diffusers <c>prediction_type</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PredictionType>))]
public enum PredictionType
{
    /// <summary>The added noise ε.</summary>
    [JsonStringEnumMemberName("epsilon")] Epsilon,

    /// <summary>The clean sample x₀ directly.</summary>
    [JsonStringEnumMemberName("sample")] Sample,

    /// <summary>The velocity v = √ᾱ·ε − √(1−ᾱ)·x₀ (CogVideoX).</summary>
    [JsonStringEnumMemberName("v_prediction")] VPrediction,
}
