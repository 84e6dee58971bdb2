using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>The output of <see cref="ITextEncoder.Encode"/>. The caller owns both tensors and disposes them.</summary>
/// <param name="Embeddings">Per-token embeddings, [B, L, D], in the encoder's dtype.</param>
/// <param name="Mask">1 for real tokens (including EOS), 0 for padding, [B, L], int64. CogVideoX passes no mask to
/// its transformer; LaMo's masked pooling and the embedding cache use it.</param>
public sealed record TextEncoding(Tensor Embeddings, Tensor Mask) : IDisposable
{
    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Embeddings.Dispose();
        Mask.Dispose();
    }
}
