using System.Text.Json.Serialization;
using LaMo.Core;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers;
using LaMo.Diffusion.Schedulers.Flow;
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
        string json = ResourceLimits.ReadConfigText(file);
        var (shift, n) = FlowConfigJson.ClassNameOf(json, file) switch
        {
            SchedulerFactory.UniPC => UniPCShift(UniPCSchedulerConfig.Parse(json, file)),
            SchedulerFactory.FlowMatchEuler => EulerShift(FlowMatchEulerSchedulerConfig.Parse(json, file)),
            var other => throw new InvalidDataException($"{file}: scheduler '{other}' is not a flow-matching scheduler (expected {SchedulerFactory.UniPC} or {SchedulerFactory.FlowMatchEuler})"),
        };
        return new WanTrainingPlan(transformer, FlowConfigJson.ClassNameOf(json, file)!, shift, n, new FlowSigmaSampling());
    }

    private static (double, int) UniPCShift(UniPCSchedulerConfig c) => (c.FlowShift, c.NumTrainTimesteps);

    private static (double, int) EulerShift(FlowMatchEulerSchedulerConfig c) => (c.Shift, c.NumTrainTimesteps);

    /// <summary>The training levels: the shifted σ table, drawn by <see cref="Sampling"/>.</summary>
    public FlowNoiseLevels Levels() => FlowNoiseLevels.FromShift(FlowShift, NumTrainTimesteps, Sampling);
}
