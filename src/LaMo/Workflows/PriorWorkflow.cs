using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Data;
using LaMo.Diffusion.Schedulers;
using LaMo.Distributed;
using LaMo.Motion;
using LaMo.Training;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary><c>lamo prior train</c>: the motion-field predictor alone on a latent cache; saved to <c>out/predictor</c>.</summary>
public static class PriorWorkflow
{
    /// <summary>Trains and saves the predictor.</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; every rank trains its shard of each global
    /// batch and only rank 0 writes outputs.</param>
    public static TrainingResult Run(PredictorTrainingOptions o, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        MpiGradientSync? sync = null)
    {
        o.Validate();
        using var cache = LatentCache.Open(o.Cache);
        manual_seed(o.Seed);
        using var prior = new MotionPrior(MotionPriorFolder.ResolveConfig(o.PredictorConfig, (int)cache.LatentShape[1], (int)cache.EmbedShape[1]));
        var table = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B).AlphasCumprod;
        var task = new PredictorTrainingTask(o, cache, prior, table, sync?.Shard);
        var run = new JsonObject { ["command"] = "prior train", ["options"] = JsonSerializer.SerializeToNode(o), ["clips"] = cache.Count };
        var result = new TrainingLoop(task, new TrainingLoopOptions(o.Out, o.Steps, o.LogEvery, o.CheckpointEvery, o.Resume), run, sync)
            .Run(progress, ct);
        if (sync?.IsRoot ?? true) MotionPriorFolder.Save(Path.Combine(o.Out, "predictor"), prior);
        return result;
    }
}
