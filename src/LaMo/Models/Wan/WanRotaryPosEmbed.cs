using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>RoPE tables for the video tokens: cos and sin, each [tokens, head_dim] float32, tokens ordered frame, then
/// row, then column.</summary>
/// <param name="Cos">cos table [S, d].</param>
/// <param name="Sin">sin table [S, d].</param>
public sealed record WanRotaryTables(Tensor Cos, Tensor Sin);

/// <summary>3-D rotary position embedding of the Wan transformer: each head is split into a frame, a row and a column
/// part; each part rotates its interleaved pairs by its axis position.</summary>
/// <remarks>Port of diffusers <c>WanRotaryPosEmbed</c> (transformer_wan.py, v0.40). The row and column parts get
/// 2·(d//6) dims each, the frame part the rest (d = 128: 44/42/42; d = 16: 8/4/4). Per axis, frequency i is
/// 1/10000^(2i/dim) and the angles are computed in float64, then cos/sin are cast to float32 and repeated twice
/// (one value per pair member). diffusers keeps <c>rope_max_seq_len</c> rows per axis as non-persistent buffers; the
/// rows used are a pure function of the position, so they are computed here for the positions asked and never stored in
/// the state dict.</remarks>
public static class WanRotaryPosEmbed
{
    /// <summary>Dims of the (frame, row, column) parts of a head of <paramref name="headDim"/> channels.</summary>
    public static (int T, int H, int W) Split(int headDim)
    {
        int hw = 2 * (headDim / 6);
        return (headDim - 2 * hw, hw, hw);
    }

    /// <summary>The tables for a latent of <paramref name="frames"/> × <paramref name="rows"/> × <paramref name="columns"/>
    /// patches.</summary>
    /// <exception cref="ArgumentException">An axis is longer than <c>rope_max_seq_len</c> or not positive.</exception>
    public static WanRotaryTables Tables(int headDim, int frames, int rows, int columns, int maxSeqLen)
    {
        foreach (var (n, name) in new[] { (frames, "frames"), (rows, "rows"), (columns, "columns") })
            if (n < 1 || n > maxSeqLen)
                throw new ArgumentException($"{n} latent {name} of patches is outside the RoPE table (1..rope_max_seq_len = {maxSeqLen})");
        using var scope = NewDisposeScope();
        var (dt, dh, dw) = Split(headDim);
        long s = (long)frames * rows * columns;
        var (cf, sf) = Axis(dt, frames);                                             // [F, dt]
        var (ch, sh) = Axis(dh, rows);                                               // [H, dh]
        var (cw, sw) = Axis(dw, columns);                                            // [W, dw]
        Tensor Grid(Tensor f, Tensor h, Tensor w) => cat([
            f.view(frames, 1, 1, -1).expand(frames, rows, columns, -1),
            h.view(1, rows, 1, -1).expand(frames, rows, columns, -1),
            w.view(1, 1, columns, -1).expand(frames, rows, columns, -1)], dim: -1).reshape(s, headDim);
        var cos = Grid(cf, ch, cw);
        var sin = Grid(sf, sh, sw);
        return new WanRotaryTables(cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    // diffusers get_1d_rotary_pos_embed(dim, n, 10000, use_real=True, repeat_interleave_real=True, freqs_dtype=float64).
    private static (Tensor Cos, Tensor Sin) Axis(int dim, int positions)
    {
        var freqs = new double[dim / 2];
        for (int i = 0; i < freqs.Length; i++) freqs[i] = 1.0 / Math.Pow(10000.0, 2.0 * i / dim);
        var angles = arange(Sc(0), Sc(positions), Sc(1), dtype: ScalarType.Float64, device: CPU).unsqueeze(1)
            .mul(tensor(freqs, ScalarType.Float64, device: CPU).unsqueeze(0));                      // [n, dim/2] float64
        var cos = angles.cos().repeat_interleave(2, dim: 1).to(ScalarType.Float32);
        var sin = angles.sin().repeat_interleave(2, dim: 1).to(ScalarType.Float32);
        return (cos, sin);
    }

    /// <summary>Rotates the interleaved pairs of <paramref name="x"/> [B, S, h, d]:
    /// out[2i] = x[2i]·cos − x[2i+1]·sin, out[2i+1] = x[2i]·sin + x[2i+1]·cos (diffusers' <c>apply_rotary_emb</c> in
    /// <c>WanAttnProcessor</c>), computed in float32 and returned in the dtype of <paramref name="x"/>.</summary>
    public static Tensor Apply(Tensor x, WanRotaryTables rope)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var pairs = x.to(ScalarType.Float32).reshape([.. shape[..^1], shape[^1] / 2, 2]);   // [B, S, h, d/2, 2]
        var x1 = pairs.select(-1, 0);
        var x2 = pairs.select(-1, 1);
        var c = rope.Cos.to(x.device).view(1, shape[1], 1, shape[^1] / 2, 2).select(-1, 0);   // cos at even positions
        var s = rope.Sin.to(x.device).view(1, shape[1], 1, shape[^1] / 2, 2).select(-1, 1);   // sin at odd positions
        var even = x1.mul(c).sub(x2.mul(s));
        var odd = x1.mul(s).add(x2.mul(c), Sc(1));
        var y = stack([even, odd], dim: -1).flatten(-2);                              // [B, S, h, d]
        return y.to(x.dtype).MoveToOuterDisposeScope();
    }
}
