using LaMo.Diffusion.Pipeline;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using LaMo.Models.WanVae;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary>What <c>lamo encode</c> needs of a pipeline's VAE and text encoder, per backbone family: the latents the
/// family's transformer is trained on, stored frames-first [B, F', C, h, w] (the training seam's cache layout), and the
/// prompt states as the family's pipeline hands them to the transformer.</summary>
internal abstract class CacheVaeEncoder : IDisposable
{
    /// <summary>The encoder for <paramref name="pipeline"/>'s family (Wan when its model_index.json names WanPipeline).</summary>
    /// <param name="device">Where the VAE's weights go and it encodes (null: the CPU).</param>
    /// <exception cref="ArgumentException">An option the family does not support (named).</exception>
    public static CacheVaeEncoder Open(string pipeline, bool vaeTiling, Device? device = null)
    {
        string vaeDir = Path.Combine(pipeline, "vae");
        if (!PipelineFolder.IsWan(pipeline))
        {
            var vae = AutoencoderKLCogVideoX.FromPretrained(vaeDir, ScalarType.Float32, device);
            vae.eval();
            if (vaeTiling) vae.EnableTiling();   // bounded memory for large frames; tiles are blended, as diffusers does
            return new CogVideoX(vae) { Device = device ?? CPU };
        }
        if (vaeTiling) throw new ArgumentException("--vae-tiling is not supported for Wan pipelines (the Wan VAE has no tiled encode here)");
        var wan = AutoencoderKLWan.FromPretrained(vaeDir, ScalarType.Float32, device);
        wan.eval();
        return new Wan(wan) { Device = device ?? CPU };
    }

    /// <summary>Where the VAE's weights are: the decoded frames (CPU memory) are moved here before <see cref="Encode"/>.</summary>
    public Device Device { get; private init; } = CPU;

    /// <summary>The factor already applied to the stored latents (recorded in cache.json).</summary>
    public abstract double ScalingFactor { get; }

    /// <summary>Video [B, 3, F, H, W] in [−1, 1] → posterior-mode latents, frames-first [B, F', C, h, w].</summary>
    public abstract Tensor Encode(Tensor video);

    /// <summary>The prompt states the transformer sees: Wan zeroes the padded positions (diffusers trims and re-pads).</summary>
    public virtual Tensor PromptStates(TextEncoding encoding) => encoding.Embeddings;

    public abstract void Dispose();

    private sealed class CogVideoX(AutoencoderKLCogVideoX vae) : CacheVaeEncoder
    {
        public override double ScalingFactor => vae.ScalingFactor;

        public override Tensor Encode(Tensor video)
        {
            using var posterior = vae.Encode(video);
            return vae.ScaleLatents(posterior.Mode()).permute(0, 2, 1, 3, 4);                      // [B, C, F', h, w] → [B, F', C, h, w]
        }

        public override void Dispose() => vae.Dispose();
    }

    // Wan: (z − latents_mean) / latents_std per channel, as WanPipeline normalises (no scalar factor).
    private sealed class Wan(AutoencoderKLWan vae) : CacheVaeEncoder
    {
        public override double ScalingFactor => 1.0;

        public override Tensor Encode(Tensor video)
        {
            using var posterior = vae.Encode(video);
            return vae.NormalizeLatents(posterior.Mode()).permute(0, 2, 1, 3, 4);
        }

        public override Tensor PromptStates(TextEncoding encoding) =>
            encoding.Embeddings.mul(encoding.Mask.to_type(encoding.Embeddings.dtype).unsqueeze(-1));

        public override void Dispose() => vae.Dispose();
    }
}
