using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Distributed;
using LaMo.Models.Lora;
using LaMo.Models.Wan;
using LaMo.Models.WanVae;
using LaMo.Motion;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary><c>lamo train --init WAN_FOLDER</c>: the same task and loop as CogVideoX, with the Wan transformer behind
/// the backbone seam (<see cref="WanBackbone"/>: flow-matching velocity MSE, x̂₀ = x_t − σ·v̂ for the drift loss, flow σ
/// for the predictor's augmentation). Outputs as <see cref="BackboneWorkflow"/>'s; the full-mode pipeline is a Wan folder
/// with the init folder's scheduler.</summary>
internal static class WanTraining
{
    public static TrainingResult Run(BackboneTrainingPlan plan, IProgress<TrainingProgress>? progress, CancellationToken ct, MpiGradientSync? sync)
    {
        var wan = plan.Wan!;
        string init = plan.InitPipeline!;
        using var cache = LatentCache.Open(plan.Cache);
        var tc = wan.Transformer;
        if (cache.LatentShape[1] != tc.InChannels)
            throw new ArgumentException($"cache latents have {cache.LatentShape[1]} channels but the Wan transformer expects in_channels {tc.InChannels}: encode the cache with this pipeline");
        if (cache.EmbedShape[1] != tc.TextDim)
            throw new ArgumentException($"cache prompt embeddings are {cache.EmbedShape[1]} wide but the Wan transformer expects text_dim {tc.TextDim}: encode the cache with this pipeline");
        using var empty = LatentCache.LoadEmptyPrompt(plan.Cache);
        manual_seed(plan.Batch.Seed);
        var transformer = WanTransformer3DModel.FromPretrained(Path.Combine(init, "transformer"), tc, plan.BaseWeightDtype, plan.Device);
        transformer.GradientCheckpointing = plan.GradientCheckpointing;
        using var lora = plan.Lora is { } l ? LoraAdapterSet.Inject(transformer, new LoraConfig(l.Rank, l.Alpha), ScalarType.Float32) : null;
        var prior = plan.Predictor is { } p ? ComputeDevice.MoveTo(new MotionPrior(p.Config, CPU), plan.Device) : null;   // seeded on the CPU
        var backbone = new WanBackbone(transformer, wan.Levels());

        var run = RunRecord.Portable(new JsonObject { ["command"] = "train", ["plan"] = plan.ToJson(), ["clips"] = cache.Count }, plan.Out);
        var task = new BackboneTrainingTask(plan, cache, empty, backbone, lora, prior, sync?.Shard);
        var result = new TrainingLoop(task, plan.Loop, run, sync).Run(progress, ct);
        try
        {
            if (sync is { IsRoot: false }) return result;
            if (lora is not null)
            {
                Directory.CreateDirectory(Path.Combine(plan.Out, "lora"));
                lora.Save(Path.Combine(plan.Out, "lora", "pytorch_lora_weights.safetensors"));
            }
            else
            {
                string vaeDir = cache.Manifest.Vae, textDir = cache.Manifest.TextEncoder;
                using var vae = Directory.Exists(vaeDir) ? AutoencoderKLWan.FromPretrained(vaeDir, ScalarType.Float32, CPU) : null;   // only copied
                using var text = Directory.Exists(textDir) ? BackboneWorkflow.TryWordEncoder(textDir) : null;
                using var scheduler = SchedulerFactory.LoadFlow(Path.Combine(init, "scheduler", "scheduler_config.json"));
                using var pipeline = new WanPipeline(transformer, vae, scheduler, text);   // borrows the components
                PipelineFolder.SaveWan(Path.Combine(plan.Out, "pipeline"), pipeline);
            }
            if (prior is not null) MotionPriorFolder.Save(Path.Combine(plan.Out, "predictor"), prior);
            return result;
        }
        finally
        {
            transformer.Dispose();
            prior?.Dispose();
        }
    }
}
