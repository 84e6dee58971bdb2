using System.Text.Json;
using System.Text.Json.Nodes;
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
    /// <summary>What <see cref="Run"/> would need, from the configs and the cache alone (nothing is built or allocated):
    /// <c>lamo train --dry-run</c>.</summary>
    public static Reliability.MemoryEstimate Plan(BackboneTrainingOptions o)
    {
        Training.TrainingLimits.Check(o.Validate());
        using var cache = LatentCache.Open(o.Cache, inMemoryLimitBytes: 0);   // shapes and ids only
        return Reliability.TrainingMemory.Estimate(o, TransformerConfigOf(o), cache);
    }

    /// <summary>The memory the run may use: <c>max_memory_gb</c>, or null for the memory available.</summary>
    public static long? MemoryBudget(BackboneTrainingOptions o) => o.MaxMemoryGb is { } gb ? (long)(gb * (1L << 30)) : null;

    // The init pipeline's transformer config, or the from-scratch one, through the size bounds.
    private static CogVideoXTransformerConfig TransformerConfigOf(BackboneTrainingOptions o) =>
        Models.CogVideoX.TransformerLimits.Load(o.Init is not null ? Path.Combine(o.Init, "transformer") : o.TransformerConfig!);

    /// <summary>Runs the training described by <paramref name="o"/>.</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; only rank 0 writes outputs.</param>
    public static TrainingResult Run(BackboneTrainingOptions o, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        MpiGradientSync? sync = null)
    {
        // Refuse absurd configs and runs that cannot fit in memory before anything is allocated (the cache included).
        Plan(o).EnsureFits(MemoryBudget(o));
        using var cache = LatentCache.Open(o.Cache);
        using var empty = LatentCache.LoadEmptyPrompt(o.Cache);
        var transformerConfig = TransformerConfigOf(o);
        manual_seed(o.Seed);
        var weightType = WeightDtype.Parse(o.WeightDtype, "weight_dtype");
        var transformer = o.Init is not null
            ? CogVideoXTransformer3DModel.FromPretrained(Path.Combine(o.Init, "transformer"), weightType)
            : new CogVideoXTransformer3DModel(transformerConfig);
        transformer.GradientCheckpointing = o.GradientCheckpointing;
        var schedulerConfig = o.Init is not null ? SchedulerConfig.Load(Path.Combine(o.Init, "scheduler", "scheduler_config.json")) : SchedulerConfig.CogVideoX2B;
        Diffusion.Pipeline.PipelineFolderLimits.Check(schedulerConfig, "scheduler_config.json");
        using var scheduler = SchedulerFactory.Create(schedulerConfig);
        using var lora = o.Mode == "lora" ? LoraAdapterSet.Inject(transformer, new LoraConfig(o.LoraRank, o.LoraAlpha), ScalarType.Float32) : null;
        var prior = o.Predictor ? new MotionPrior(MotionPriorFolder.ResolveConfig(o.PredictorConfig, (int)cache.LatentShape[1], (int)cache.EmbedShape[1])) : null;

        var run = new JsonObject { ["command"] = "train", ["options"] = JsonSerializer.SerializeToNode(o), ["clips"] = cache.Count };
        var task = new BackboneTrainingTask(o, cache, empty, transformer, scheduler, lora, prior, sync?.Shard);
        var loop = new TrainingLoop(task, new TrainingLoopOptions(o.Out, o.Steps, o.LogEvery, o.CheckpointEvery, o.Resume,
            o.NanPolicy == "stop" ? NanPolicy.Stop : NanPolicy.Skip), run, sync);
        var result = loop.Run(progress, ct);
        if (sync is { IsRoot: false })
        {
            transformer.Dispose();
            prior?.Dispose();
            return result;
        }

        if (lora is not null)
        {
            Directory.CreateDirectory(Path.Combine(o.Out, "lora"));
            lora.Save(Path.Combine(o.Out, "lora", "pytorch_lora_weights.safetensors"));
        }
        else
        {
            string vaeDir = cache.Manifest.Vae, textDir = cache.Manifest.TextEncoder;
            using var vae = Directory.Exists(vaeDir) ? AutoencoderKLCogVideoX.FromPretrained(vaeDir) : null;
            using var text = Directory.Exists(textDir) && TryWordEncoder(textDir) is { } w ? w : null;
            PipelineFolder.Save(Path.Combine(o.Out, "pipeline"), transformer, vae, schedulerConfig, text);
        }
        if (prior is not null) MotionPriorFolder.Save(Path.Combine(o.Out, "predictor"), prior);
        transformer.Dispose();
        prior?.Dispose();
        return result;
    }

    private static WordTextEncoder? TryWordEncoder(string textEncoderFolder)
    {
        try { return WordTextEncoder.Load(textEncoderFolder); }
        catch (InvalidDataException) { return null; }   // T5: the user's own folder stays where it is
    }
}
