using System.Text.Json.Serialization;

namespace LaMo.Motion;

/// <summary>What the Motion Drift Loss divides each frame pair's ‖μ̂ − μ*‖² by (docs/method.md).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftDenominator>))]
public enum DriftDenominator
{
    /// <summary>The published loss: sg(max(‖μ*‖², ε)).</summary>
    [JsonStringEnumMemberName("published")] Published,

    /// <summary>Our extension: sg(max(‖μ*‖² + κ·σ̂²_μ, ε)), where σ̂²_μ is the sampling variance of the spatial mean μ*
    /// estimated from the clean pair's own per-location differences (<see cref="NoiseFloorDrift.BulkMotionVariance"/>).
    /// Equals the published loss where ‖μ*‖² ≫ κ·σ̂²_μ and stays bounded where μ* ≈ 0.</summary>
    [JsonStringEnumMemberName("noise_floor")] NoiseFloor,
}
