using static TorchSharp.torch;

namespace LaMo.Models;

/// <summary>diffusers' VAE slicing, shared by both VAEs: run a batch one sample at a time (bounded memory) and concatenate.</summary>
public static class VaeSlicing
{
    /// <summary><paramref name="run"/> on <paramref name="x"/> whole, or per sample [1, ...] when <paramref name="slice"/> and B > 1.</summary>
    public static Tensor PerSample(Tensor x, bool slice, Func<Tensor, Tensor> run)
    {
        if (!slice || x.shape[0] == 1) return run(x);
        var parts = new List<Tensor>();
        try
        {
            for (long b = 0; b < x.shape[0]; b++)
            {
                using var sample = x.narrow(0, b, 1);                 // [1, C, F, H, W]
                parts.Add(run(sample));
            }
            return cat(parts, 0);
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }
}
