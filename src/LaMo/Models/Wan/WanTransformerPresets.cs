namespace LaMo.Models.Wan;

/// <summary>Named Wan transformer configurations; the JSON copies live in <c>configs/*/transformer/config.json</c>.</summary>
/// <remarks>The published values are those of the diffusers checkpoints (Wan-AI/Wan2.1-T2V-1.3B-Diffusers,
/// Wan-AI/Wan2.1-T2V-14B-Diffusers, Wan-AI/Wan2.2-TI2V-5B-Diffusers, <c>transformer/config.json</c>); the parameter
/// totals are checked against the published checkpoints in the tests.</remarks>
public static class WanTransformerPresets
{
    private const string Version = "0.40.0";

    /// <summary>Wan 2.1 T2V 1.3B: 12 heads × 128, 30 layers, ffn 8960, 16 latent channels (1,418,996,800 parameters).</summary>
    public static WanTransformerConfig Wan21T2V1_3B { get; } = new()
    {
        DiffusersVersion = Version, NumAttentionHeads = 12, FfnDim = 8960, NumLayers = 30,
    };

    /// <summary>Wan 2.1 T2V 14B: 40 heads × 128, 40 layers, ffn 13824, 16 latent channels (14,288,491,584 parameters;
    /// the diffusers defaults).</summary>
    public static WanTransformerConfig Wan21T2V14B { get; } = new() { DiffusersVersion = Version };

    /// <summary>Wan 2.2 TI2V 5B: 24 heads × 128, 30 layers, ffn 14336, 48 latent channels (4,999,787,712 parameters).</summary>
    public static WanTransformerConfig Wan22TI2V5B { get; } = new()
    {
        DiffusersVersion = Version, NumAttentionHeads = 24, FfnDim = 14336, NumLayers = 30, InChannels = 48, OutChannels = 48,
    };

    /// <summary>CPU test size: 2 layers, 2 heads × 24 (RoPE 8/8/8), 16 latent channels, text width 32, ffn 96.</summary>
    public static WanTransformerConfig Tiny { get; } = new()
    {
        DiffusersVersion = Version, NumAttentionHeads = 2, AttentionHeadDim = 24, NumLayers = 2, TextDim = 32, FreqDim = 32,
        FfnDim = 96,
    };

    /// <summary>The preset called <paramref name="name"/> (<c>wan2.1-t2v-1.3b</c>, <c>wan2.1-t2v-14b</c>,
    /// <c>wan2.2-ti2v-5b</c>, <c>tiny</c>).</summary>
    /// <exception cref="ArgumentException">Unknown name (lists the known ones).</exception>
    public static WanTransformerConfig Get(string name) => name.ToLowerInvariant() switch
    {
        "wan2.1-t2v-1.3b" => Wan21T2V1_3B,
        "wan2.1-t2v-14b" => Wan21T2V14B,
        "wan2.2-ti2v-5b" => Wan22TI2V5B,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"unknown Wan transformer preset '{name}' (known: wan2.1-t2v-1.3b, wan2.1-t2v-14b, wan2.2-ti2v-5b, tiny)", nameof(name)),
    };
}
