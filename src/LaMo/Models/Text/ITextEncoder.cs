namespace LaMo.Models.Text;

/// <summary>Turns prompts into per-token embeddings for the video transformer's text stream.</summary>
/// <remarks>Implemented by <see cref="T5TextEncoder"/> (CogVideoX's frozen T5 v1.1 XXL encoder) and by
/// <see cref="WordTextEncoder"/> (a tiny trainable word-level encoder for the physics world).
/// Load either with <see cref="TextEncoderLoader.FromPretrained"/>.</remarks>
public interface ITextEncoder : IDisposable
{
    /// <summary>L: every prompt is padded or truncated to this many tokens.</summary>
    int MaxSequenceLength { get; }

    /// <summary>D: the width of each token embedding.</summary>
    int EmbeddingDim { get; }

    /// <summary>Tokenizes and encodes a batch of prompts.</summary>
    /// <param name="prompts">B prompts; an empty string is allowed (the unconditional prompt).</param>
    /// <returns>Embeddings [B, L, D] and mask [B, L]; the caller owns them.</returns>
    /// <exception cref="ArgumentException"><paramref name="prompts"/> is empty or contains null.</exception>
    TextEncoding Encode(IReadOnlyList<string> prompts);
}
