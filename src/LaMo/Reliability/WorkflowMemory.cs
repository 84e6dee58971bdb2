using LaMo.Core;
using LaMo.Data;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Training;

namespace LaMo.Reliability;

/// <summary>The <see cref="MemoryEstimate"/> of a <c>lamo train</c> run, from its options, transformer config and cache.</summary>
public static class TrainingMemory
{
    /// <summary>Tokens per sample = text tokens + latent frames × (h/p) × (w/p) of the cache's first clip; LoRA trains
    /// rank·(in+out) per adapted projection (to_q/k/v/out of every block).</summary>
    public static MemoryEstimate Estimate(BackboneTrainingPlan plan, LatentCache cache)
    {
        var config = plan.Transformer;
        long tokens = config.MaxTextSeqLength;
        if (cache.Count > 0)
        {
            long[] s = cache.LatentShape;                     // [F', C, h, w]
            tokens = cache.EmbedShape[0] + s[0] * Math.Max(1, s[2] / config.PatchSize) * Math.Max(1, s[3] / config.PatchSize);
        }
        long? trainable = plan.Lora is { } lora ? 4L * config.NumLayers * lora.Rank * 2L * config.InnerDim : null;
        // Activations are held for one pass: the micro batch when accumulating gradients.
        var batch = plan.Batch;
        return MemoryEstimate.ForTraining(config, tokens, batch.MicroBatchSize > 0 ? batch.MicroBatchSize : batch.BatchSize,
            Models.WeightDtype.Bytes(plan.BaseWeightDtype), trainable, 0, plan.Mode == TrainingMode.Lora ? "lora" : "full", plan.GradientCheckpointing);
    }
}

/// <summary>The <see cref="MemoryEstimate"/> of sampling from a pipeline folder, read from its configs only.</summary>
public static class PipelineMemory
{
    /// <summary>Checks the folder's configs against <see cref="ResourceLimits"/> and estimates sampling one video of
    /// <paramref name="frames"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">A non-positive size.</exception>
    /// <param name="bytesPerWeight">Transformer weight size (4 fp32, 2 bf16/fp16).</param>
    /// <param name="vaeTiling">The VAE decodes in spatial tiles.</param>
    public static MemoryEstimate Estimate(string pipelineFolder, int frames, int height, int width, int bytesPerWeight = 4, bool vaeTiling = false)
    {
        if (frames <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"frames ({frames}) and size ({height}x{width}) must be positive", nameof(frames));
        Diffusion.Pipeline.PipelineFolderLimits.Check(pipelineFolder);
        string t = Path.Combine(pipelineFolder, "transformer", "config.json"), v = Path.Combine(pipelineFolder, "vae", "config.json");
        var transformer = File.Exists(t) ? TransformerLimits.Load(t) : new CogVideoXTransformerConfig();
        var vae = File.Exists(v) ? VaeLimits.Load(v) : new AutoencoderKLCogVideoXConfig();
        return MemoryEstimate.ForSampling(transformer, vae, frames, height, width, transformer.MaxTextSeqLength, bytesPerWeight, vaeTiling,
            Diffusion.Pipeline.PipelineFolderLimits.TextEncoderParameters(pipelineFolder));
    }
}
