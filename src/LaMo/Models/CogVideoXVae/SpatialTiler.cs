using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>diffusers' <c>tiled_encode</c>/<c>tiled_decode</c> grid and blending, shared by both directions.</summary>
internal static class SpatialTiler
{
    /// <summary>Runs <paramref name="run"/> on overlapping tiles of x [B, C, F, H, W] and blends the results.</summary>
    /// <param name="x">Input [B, C, F, H, W].</param>
    /// <param name="tileIn">Input tile size (height, width).</param>
    /// <param name="tileOut">Output tile size for a full input tile (height, width).</param>
    /// <param name="overlap">Overlap factors (height, width).</param>
    /// <param name="run">The untiled pass for one tile (returns a new tensor).</param>
    public static Tensor Run(Tensor x, (int H, int W) tileIn, (int H, int W) tileOut, (double H, double W) overlap, Func<Tensor, Tensor> run)
    {
        long height = x.shape[3], width = x.shape[4];
        int strideH = (int)(tileIn.H * (1 - overlap.H)), strideW = (int)(tileIn.W * (1 - overlap.W));
        int blendH = (int)(tileOut.H * overlap.H), blendW = (int)(tileOut.W * overlap.W);
        int limitH = tileOut.H - blendH, limitW = tileOut.W - blendW;
        if (strideH < 1 || strideW < 1) throw new ArgumentException("tile overlap leaves no stride");
        var rows = new List<List<Tensor>>();
        try
        {
            for (long i = 0; i < height; i += strideH)
            {
                var row = new List<Tensor>();
                rows.Add(row);
                for (long j = 0; j < width; j += strideW)
                {
                    using var tile = x.narrow(3, i, Math.Min(tileIn.H, height - i)).narrow(4, j, Math.Min(tileIn.W, width - j));
                    row.Add(run(tile));                                   // [B, C', F', h, w]
                }
            }
            var resultRows = new List<Tensor>();
            try
            {
                for (int i = 0; i < rows.Count; i++)
                {
                    var pieces = new List<Tensor>();
                    for (int j = 0; j < rows[i].Count; j++)
                    {
                        var tile = rows[i][j];                            // blended in place, as diffusers does
                        if (i > 0) Blend(rows[i - 1][j], tile, blendH, dim: 3);
                        if (j > 0) Blend(rows[i][j - 1], tile, blendW, dim: 4);
                        pieces.Add(tile.narrow(3, 0, Math.Min(limitH, tile.shape[3])).narrow(4, 0, Math.Min(limitW, tile.shape[4])));
                    }
                    resultRows.Add(cat(pieces, 4));
                    foreach (var p in pieces) p.Dispose();
                }
                return cat(resultRows, 3);
            }
            finally { foreach (var r in resultRows) r.Dispose(); }
        }
        finally { foreach (var t in rows.SelectMany(r => r)) t.Dispose(); }
    }

    /// <summary>b[..y..] = a[..−e+y..]·(1 − y/e) + b[..y..]·(y/e) for y &lt; e along <paramref name="dim"/> (in place).</summary>
    private static void Blend(Tensor a, Tensor b, int extent, int dim)
    {
        int e = (int)Math.Min(Math.Min(a.shape[dim], b.shape[dim]), extent);
        if (e <= 0) return;
        var shape = new long[] { 1, 1, 1, 1, 1 };
        shape[dim] = e;
        var up = Enumerable.Range(0, e).Select(y => (float)(y / (double)e)).ToArray();
        var down = Enumerable.Range(0, e).Select(y => (float)(1 - y / (double)e)).ToArray();
        using var wUp = tensor(up, dtype: ScalarType.Float32, device: b.device).reshape(shape).to(b.dtype);
        using var wDown = tensor(down, dtype: ScalarType.Float32, device: b.device).reshape(shape).to(b.dtype);
        using var aEdge = a.narrow(dim, a.shape[dim] - e, e);
        using var bEdge = b.narrow(dim, 0, e);
        using var mixed = (aEdge * wDown).add(bEdge * wUp, Sc(1));
        bEdge.copy_(mixed);
    }
}
