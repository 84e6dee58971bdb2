using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
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
    /// <summary>Resolves <paramref name="o"/> into its plan and runs it.</summary>
    public static TrainingResult Run(PredictorTrainingOptions o, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        MpiGradientSync? sync = null) => Run(PredictorTrainingPlan.Resolve(o), progress, ct, sync);

    /// <summary>Trains and saves the predictor.</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; every rank trains its shard of each global
    /// batch and only rank 0 writes outputs.</param>
    public static TrainingResult Run(PredictorTrainingPlan plan, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        MpiGradientSync? sync = null)
    {
        using var cache = LatentCache.Open(plan.Cache);
        manual_seed(plan.Batch.Seed);
        using var prior = ComputeDevice.MoveTo(new MotionPrior(plan.Config, CPU), plan.Device);   // seeded on the CPU: the same weights on every device
        var task = new PredictorTrainingTask(plan, cache, prior, sync?.Shard);
        var run = RunRecord.Portable(new JsonObject { ["command"] = "prior train", ["plan"] = plan.ToJson(), ["clips"] = cache.Count }, plan.Out);
        var result = new TrainingLoop(task, plan.Loop, run, sync).Run(progress, ct);
        if (sync?.IsRoot ?? true) MotionPriorFolder.Save(Path.Combine(plan.Out, "predictor"), prior);
        return result;
    }
}
