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
        if (plan.Wan is { } wan) return EstimateWan(plan, wan.Transformer, cache);
        var config = plan.Transformer!;
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

    // Wan: tokens = the cache's latent patches + its prompt tokens (cross-attention); LoRA adapts q/k/v/out of the self-
    // and the cross-attention of every block, rank·(in+out) each.
    private static MemoryEstimate EstimateWan(BackboneTrainingPlan plan, Models.Wan.WanTransformerConfig config, LatentCache cache)
    {
        long tokens = 512;   // WanPipeline's prompt length, when the cache is empty
        if (cache.Count > 0)
        {
            long[] s = cache.LatentShape;                     // [F', C, h, w]
            var ps = config.PatchSize;
            tokens = cache.EmbedShape[0] + Math.Max(1, s[0] / ps.T) * Math.Max(1, s[2] / ps.H) * Math.Max(1, s[3] / ps.W);
        }
        long? trainable = plan.Lora is { } lora ? 8L * config.NumLayers * lora.Rank * 2L * config.InnerDim : null;
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
        if (Diffusion.Pipeline.PipelineFolder.IsWan(pipelineFolder)) return EstimateWan(pipelineFolder, frames, height, width, bytesPerWeight);
        Diffusion.Pipeline.PipelineFolderLimits.Check(pipelineFolder);
        string t = Path.Combine(pipelineFolder, "transformer", "config.json"), v = Path.Combine(pipelineFolder, "vae", "config.json");
        var transformer = File.Exists(t) ? TransformerLimits.Load(t) : new CogVideoXTransformerConfig();
        var vae = File.Exists(v) ? VaeLimits.Load(v) : new AutoencoderKLCogVideoXConfig();
        return MemoryEstimate.ForSampling(transformer, vae, frames, height, width, transformer.MaxTextSeqLength, bytesPerWeight, vaeTiling,
            Diffusion.Pipeline.PipelineFolderLimits.TextEncoderParameters(pipelineFolder));
    }

    // A Wan folder's configs through their bounds (defaults: Wan 2.1's VAE); prompts are 512 tokens (WanPipeline's).
    private static MemoryEstimate EstimateWan(string folder, int frames, int height, int width, int bytesPerWeight)
    {
        string t = Path.Combine(folder, "transformer", "config.json"), v = Path.Combine(folder, "vae", "config.json");
        var transformer = Models.Wan.WanTransformerLimits.Load(t);
        var vae = File.Exists(v) ? Models.WanVae.WanVaeLimits.Load(v) : Models.WanVae.AutoencoderKLWanConfig.Wan21;
        return MemoryEstimate.ForSampling(transformer, vae, frames, height, width, Diffusion.Pipeline.PipelineFolder.WanMaxSequenceLength,
            bytesPerWeight, Diffusion.Pipeline.PipelineFolderLimits.TextEncoderParameters(folder));
    }
}
