using System.Text.Json.Serialization;
using LaMo.Core;

namespace LaMo.Data;

/// <summary>The <c>cache.json</c> of a latent cache: what produced the latents, so a trainer can refuse a cache that
/// does not match its VAE or text encoder.</summary>
/// <remarks><c>cache.json</c> stores <see cref="Vae"/> and <see cref="TextEncoder"/> relative to the cache folder, so a
/// copied work folder (pipeline and cache together) keeps working and the file names no folder of the machine that
/// made it. <see cref="LatentCache.ReadManifest"/> resolves them against the cache folder (older caches with absolute
/// paths read unchanged); in memory they are usable paths.</remarks>
/// <param name="Vae">Path of the VAE folder that encoded the videos.</param>
/// <param name="TextEncoder">Path of the text encoder folder.</param>
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

    /// <summary>This manifest with its paths resolved against <paramref name="cacheFolder"/> (absolute paths stay as they
    /// are): full, normalised folder paths that compare equal exactly when they name the same folder.</summary>
    public LatentCacheManifest ResolvedIn(string cacheFolder) =>
        this with { Vae = ArtifactPaths.Resolve(cacheFolder, Vae), TextEncoder = ArtifactPaths.Resolve(cacheFolder, TextEncoder) };

    /// <summary>This manifest with its paths relative to <paramref name="cacheFolder"/> (as written to <c>cache.json</c>);
    /// relative paths in this manifest are taken as relative to the working directory.</summary>
    public LatentCacheManifest RelativeTo(string cacheFolder) =>
        this with { Vae = ArtifactPaths.Relative(cacheFolder, Vae), TextEncoder = ArtifactPaths.Relative(cacheFolder, TextEncoder) };
}
