using LaMo.Core;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers;
using LaMo.Diffusion.Schedulers.Flow;

namespace LaMo.Training;

/// <summary>A flow-matching scheduler file reduced to what training needs: its class, its shift and N.</summary>
/// <param name="SchedulerClass">UniPCMultistepScheduler or FlowMatchEulerDiscreteScheduler.</param>
/// <param name="Shift">UniPC's <c>flow_shift</c> or FlowMatchEuler's <c>shift</c>: the training σ table's shift.</param>
/// <param name="NumTrainTimesteps">N of t = σ·N.</param>
public sealed record FlowSchedule(string SchedulerClass, double Shift, int NumTrainTimesteps)
{
    /// <summary>True when <paramref name="file"/> names a flow-matching scheduler class.</summary>
    public static bool IsFlow(string file) => SchedulerFactory.IsFlow(FlowConfigJson.ClassNameOf(ResourceLimits.ReadConfigText(file), file));

    /// <summary>Reads and validates a flow scheduler_config.json.</summary>
    /// <exception cref="InvalidDataException">Not a flow-matching scheduler, or an invalid config (named).</exception>
    public static FlowSchedule Load(string file)
    {
        string json = ResourceLimits.ReadConfigText(file);
        return FlowConfigJson.ClassNameOf(json, file) switch
        {
            SchedulerFactory.UniPC => UniPC(UniPCSchedulerConfig.Parse(json, file)),
            SchedulerFactory.FlowMatchEuler => Euler(FlowMatchEulerSchedulerConfig.Parse(json, file)),
            var other => throw new InvalidDataException($"{file}: scheduler '{other}' is not a flow-matching scheduler (expected {SchedulerFactory.UniPC} or {SchedulerFactory.FlowMatchEuler})"),
        };
    }

    private static FlowSchedule UniPC(UniPCSchedulerConfig c) => new(SchedulerFactory.UniPC, c.FlowShift, c.NumTrainTimesteps);

    private static FlowSchedule Euler(FlowMatchEulerSchedulerConfig c) => new(SchedulerFactory.FlowMatchEuler, c.Shift, c.NumTrainTimesteps);

    /// <summary>The training levels: diffusers' FlowMatchEuler table shifted by <see cref="Shift"/>.</summary>
    public FlowNoiseLevels Levels(FlowSigmaSampling? sampling = null) => FlowNoiseLevels.FromShift(Shift, NumTrainTimesteps, sampling);
}
