using System.Text.Json.Serialization;

namespace LaMo.Data;

/// <summary>The <c>cache.json</c> of a latent cache: what produced the latents, so a trainer can refuse a cache that
/// does not match its VAE or text encoder.</summary>
/// <param name="Vae">Path or name of the VAE that encoded the videos.</param>
/// <param name="TextEncoder">Path or name of the text encoder.</param>
/// <param name="ScalingFactor">VAE scaling factor already applied to the stored latents.</param>
/// <param name="Frames">RGB frames per clip that were encoded.</param>
/// <param name="Height">RGB height.</param>
/// <param name="Width">RGB width.</param>
/// <param name="ShardSize">Clips per shard.</param>
public sealed record LatentCacheManifest(
    [property: JsonPropertyName("vae")] string Vae,
    [property: JsonPropertyName("text_encoder")] string TextEncoder,
    [property: JsonPropertyName("scaling_factor")] double ScalingFactor,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("shard_size")] int ShardSize)
{
    /// <summary>Format version written into <c>cache.json</c>.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = "lamo-latent-cache-v1";
}
