namespace LaMo.Models.CogVideoX;

/// <summary>Named transformer configurations; the JSON copies live in <c>configs/*/transformer/config.json</c>.</summary>
public static class CogVideoXTransformerPresets
{
    /// <summary>CogVideoX-2B: 30 heads × 64, 30 layers, 3-D sin-cos positions (1,693,783,872 parameters).</summary>
    public static CogVideoXTransformerConfig CogVideoX2B { get; } = new() { DiffusersVersion = "0.33.0" };

    /// <summary>CogVideoX-5B: 48 heads × 64, 42 layers, 3-D RoPE (5,570,283,072 parameters).</summary>
    public static CogVideoXTransformerConfig CogVideoX5B { get; } = new()
    {
        DiffusersVersion = "0.33.0", NumAttentionHeads = 48, NumLayers = 42, UseRotaryPositionalEmbeddings = true,
    };

    /// <summary>CPU test size: 2 layers, 2 heads × 16, 16 latent channels, text width 32 (up to 16 tokens), RoPE,
    /// sample 8×8 latents × 9 frames.</summary>
    public static CogVideoXTransformerConfig Tiny { get; } = new()
    {
        DiffusersVersion = "0.33.0", NumAttentionHeads = 2, AttentionHeadDim = 16, NumLayers = 2, TimeEmbedDim = 32,
        TextEmbedDim = 32, MaxTextSeqLength = 16, SampleHeight = 8, SampleWidth = 8, SampleFrames = 9,
        UseRotaryPositionalEmbeddings = true,
    };

    /// <summary>Benchmark size: 4 layers, 4 heads × 32, 16 latent channels, text width 64, RoPE, sample 16×16 × 17 frames
    /// (latent [1, 5, 16, 16, 16]).</summary>
    public static CogVideoXTransformerConfig Small { get; } = new()
    {
        DiffusersVersion = "0.33.0", NumAttentionHeads = 4, AttentionHeadDim = 32, NumLayers = 4, TimeEmbedDim = 64,
        TextEmbedDim = 64, MaxTextSeqLength = 32, SampleHeight = 16, SampleWidth = 16, SampleFrames = 17,
        UseRotaryPositionalEmbeddings = true,
    };

    /// <summary>The preset called <paramref name="name"/> (<c>cogvideox-2b</c>, <c>cogvideox-5b</c>, <c>tiny</c>, <c>small</c>).</summary>
    /// <exception cref="ArgumentException">Unknown name (lists the known ones).</exception>
    public static CogVideoXTransformerConfig Get(string name) => name.ToLowerInvariant() switch
    {
        "cogvideox-2b" or "2b" => CogVideoX2B,
        "cogvideox-5b" or "5b" => CogVideoX5B,
        "tiny" => Tiny,
        "small" => Small,
        _ => throw new ArgumentException($"unknown transformer preset '{name}' (known: cogvideox-2b, cogvideox-5b, tiny, small)", nameof(name)),
    };
}
