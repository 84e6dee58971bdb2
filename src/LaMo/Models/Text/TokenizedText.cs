using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>A batch of prompts as fixed-length token ids, row-major [B, L], plus the attention mask.</summary>
/// <param name="BatchSize">B.</param>
/// <param name="Length">L, the padded length.</param>
/// <param name="Ids">B·L token ids; padding is the pad id.</param>
/// <param name="Mask">B·L values, 1 for real tokens (including EOS), 0 for padding.</param>
public sealed record TokenizedText(int BatchSize, int Length, long[] Ids, long[] Mask)
{
    /// <summary>The ids of prompt <paramref name="b"/>.</summary>
    public ReadOnlySpan<long> Row(int b) => Ids.AsSpan(b * Length, Length);

    /// <summary>The ids as an int64 tensor [B, L] on <paramref name="device"/> (CPU when null).</summary>
    public Tensor IdsTensor(Device? device = null) => tensor(Ids, [BatchSize, Length], device: device);

    /// <summary>The mask as an int64 tensor [B, L] on <paramref name="device"/> (CPU when null).</summary>
    public Tensor MaskTensor(Device? device = null) => tensor(Mask, [BatchSize, Length], device: device);

    /// <summary>Builds a batch from per-prompt id lists, padding each to <paramref name="length"/>.</summary>
    /// <exception cref="ArgumentException">A row is longer than <paramref name="length"/>.</exception>
    public static TokenizedText Pad(IReadOnlyList<IReadOnlyList<long>> rows, int length, long padId)
    {
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        Array.Fill(ids, padId);
        for (int b = 0; b < rows.Count; b++)
        {
            if (rows[b].Count > length)
                throw new ArgumentException($"row {b} has {rows[b].Count} tokens, more than the length {length}", nameof(rows));
            for (int i = 0; i < rows[b].Count; i++)
            {
                ids[b * length + i] = rows[b][i];
                mask[b * length + i] = 1;
            }
        }
        return new TokenizedText(rows.Count, length, ids, mask);
    }
}
