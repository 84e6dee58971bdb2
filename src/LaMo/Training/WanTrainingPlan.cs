using LaMo.Diffusion.Backbones;
using LaMo.Models.Wan;

namespace LaMo.Training;

/// <summary>The Wan part of a <c>lamo train</c> plan (present when <c>--init</c> is a Wan pipeline folder): the
/// transformer's config and the flow-matching training levels, whose shift is the init pipeline's scheduler's.</summary>
/// <param name="Transformer">The init pipeline's transformer config.</param>
/// <param name="SchedulerClass">The init pipeline's scheduler class (UniPC or FlowMatchEuler).</param>
/// <param name="FlowShift">Its shift (UniPC's <c>flow_shift</c>, FlowMatchEuler's <c>shift</c>): the training σ table's.</param>
/// <param name="NumTrainTimesteps">N of t = σ·N.</param>
/// <param name="Sampling">How training σ are drawn (uniform over the shifted table, finetrainers' default).</param>
public sealed record WanTrainingPlan(WanTransformerConfig Transformer, string SchedulerClass, double FlowShift, int NumTrainTimesteps,
    FlowSigmaSampling Sampling)
{
    /// <summary>Reads the Wan folder's transformer config and scheduler through their bounds.</summary>
    /// <exception cref="InvalidDataException">A config is unreadable or out of bounds (named).</exception>
    public static WanTrainingPlan FromPipeline(string folder)
    {
        var transformer = WanTransformerLimits.Load(Path.Combine(folder, "transformer", "config.json"));
        string file = Path.Combine(folder, "scheduler", "scheduler_config.json");
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: missing", file);
        var flow = FlowSchedule.Load(file);
        return new WanTrainingPlan(transformer, flow.SchedulerClass, flow.Shift, flow.NumTrainTimesteps, new FlowSigmaSampling());
    }

    /// <summary>The training levels: the shifted σ table, drawn by <see cref="Sampling"/>.</summary>
    public FlowNoiseLevels Levels() => FlowNoiseLevels.FromShift(FlowShift, NumTrainTimesteps, Sampling);
}
