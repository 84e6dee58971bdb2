using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Distributed;
using LaMo.Models;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Lora;
using LaMo.Models.Text;
using LaMo.Motion;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary><c>lamo train</c>: train a backbone from scratch, fully fine-tune it, or fine-tune LoRA adapters, from a latent
/// cache, with LaMo's drift loss and joint predictor switched on by options. Outputs under <c>out</c>:
/// <c>pipeline/</c> (diffusers layout; full mode), <c>lora/pytorch_lora_weights.safetensors</c> (LoRA mode),
/// <c>predictor/</c> (joint predictor), plus run.json, metrics.csv, tb/, loss.png and checkpoints/.</summary>
public static class BackboneWorkflow
{
    /// <summary>What <see cref="Run(BackboneTrainingPlan, IProgress{TrainingProgress}?, CancellationToken, MpiGradientSync?)"/>
    /// would need, from the plan and the cache's shapes alone (nothing is built or allocated): <c>lamo train --dry-run</c>.</summary>
    public static Reliability.MemoryEstimate Estimate(BackboneTrainingPlan plan)
    {
        using var cache = LatentCache.Open(plan.Cache, inMemoryLimitBytes: 0);   // shapes and ids only
        return Reliability.TrainingMemory.Estimate(plan, cache);
    }

    /// <summary>Resolves <paramref name="o"/> into its plan and runs it.</summary>
    public static TrainingResult Run(BackboneTrainingOptions o, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        MpiGradientSync? sync = null) => Run(BackboneTrainingPlan.Resolve(o), progress, ct, sync);

    /// <summary>Runs the training described by <paramref name="plan"/>.</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; only rank 0 writes outputs.</param>
    public static TrainingResult Run(BackboneTrainingPlan plan, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        MpiGradientSync? sync = null)
    {
        // Refuse runs that cannot fit in memory before anything is allocated (the cache included).
        Estimate(plan).EnsureFits(plan.MaxMemoryBytes);
        if (plan.Wan is not null) return WanTraining.Run(plan, progress, ct, sync);
        using var cache = LatentCache.Open(plan.Cache);
        using var empty = LatentCache.LoadEmptyPrompt(plan.Cache);
        manual_seed(plan.Batch.Seed);
        // Loaded weights go straight to the device; a model initialised from the seed is built on the CPU and moved, so
        // the seed gives the same weights on every device. LoRA adapters are made beside the weights they adapt.
        var transformer = plan.InitPipeline is { } init
            ? CogVideoXTransformer3DModel.FromPretrained(Path.Combine(init, "transformer"), plan.Transformer!, plan.BaseWeightDtype, plan.Device)
            : ComputeDevice.MoveTo(new CogVideoXTransformer3DModel(plan.Transformer!, new ParameterOptions(Device: CPU)), plan.Device);
        transformer.GradientCheckpointing = plan.GradientCheckpointing;
        using var scheduler = SchedulerFactory.Create(plan.Scheduler!);
        using var lora = plan.Lora is { } l ? LoraAdapterSet.Inject(transformer, new LoraConfig(l.Rank, l.Alpha), ScalarType.Float32) : null;
        var prior = plan.Predictor is { } p ? ComputeDevice.MoveTo(new MotionPrior(p.Config, CPU), plan.Device) : null;

        var run = RunRecord.Portable(new JsonObject { ["command"] = "train", ["plan"] = plan.ToJson(), ["clips"] = cache.Count }, plan.Out);
        var task = new BackboneTrainingTask(plan, cache, empty, transformer, scheduler, lora, prior, sync?.Shard);
        var loop = new TrainingLoop(task, plan.Loop, run, sync);
        var result = loop.Run(progress, ct);
        if (sync is { IsRoot: false })
        {
            transformer.Dispose();
            prior?.Dispose();
            return result;
        }

        if (lora is not null)
        {
            Directory.CreateDirectory(Path.Combine(plan.Out, "lora"));
            lora.Save(Path.Combine(plan.Out, "lora", "pytorch_lora_weights.safetensors"));
        }
        else
        {
            string vaeDir = cache.Manifest.Vae, textDir = cache.Manifest.TextEncoder;
            // The cache's VAE and text encoder are only copied into the pipeline folder: read on the CPU, never moved.
            using var vae = Directory.Exists(vaeDir) ? AutoencoderKLCogVideoX.FromPretrained(vaeDir, ScalarType.Float32, CPU) : null;
            using var text = Directory.Exists(textDir) && TryWordEncoder(textDir) is { } w ? w : null;
            PipelineFolder.Save(Path.Combine(plan.Out, "pipeline"), transformer, vae, plan.Scheduler!, text);
        }
        if (prior is not null) MotionPriorFolder.Save(Path.Combine(plan.Out, "predictor"), prior);
        transformer.Dispose();
        prior?.Dispose();
        return result;
    }

    internal static WordTextEncoder? TryWordEncoder(string textEncoderFolder)
    {
        try { return WordTextEncoder.Load(textEncoderFolder, CPU); }   // only copied into the pipeline folder
        catch (InvalidDataException) { return null; }   // T5: the user's own folder stays where it is
    }
}
