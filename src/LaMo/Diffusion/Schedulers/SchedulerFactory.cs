using LaMo.Diffusion.Schedulers.Flow;

namespace LaMo.Diffusion.Schedulers;

/// <summary>Builds a scheduler by diffusers class name (what <c>model_index.json</c> / <c>_class_name</c> say).</summary>
public static class SchedulerFactory
{
    /// <summary>diffusers' <c>CogVideoXDDIMScheduler</c>.</summary>
    public const string DDIM = "CogVideoXDDIMScheduler";

    /// <summary>diffusers' <c>CogVideoXDPMScheduler</c>.</summary>
    public const string DPM = "CogVideoXDPMScheduler";

    /// <summary>diffusers' <c>FlowMatchEulerDiscreteScheduler</c> (flow matching).</summary>
    public const string FlowMatchEuler = "FlowMatchEulerDiscreteScheduler";

    /// <summary>diffusers' <c>UniPCMultistepScheduler</c> (the Wan pipelines' scheduler, flow configuration).</summary>
    public const string UniPC = "UniPCMultistepScheduler";

    /// <summary>True when <paramref name="className"/> names a flow-matching scheduler (<see cref="CreateFlow"/>).</summary>
    public static bool IsFlow(string? className) => className is FlowMatchEuler or UniPC;

    /// <summary>Creates the flow-matching scheduler a <c>scheduler_config.json</c> text names in <c>_class_name</c>,
    /// parsing the rest strictly with that class's config record.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Where it came from (for messages).</param>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key (named) or an invalid value.</exception>
    /// <exception cref="NotSupportedException">No or another <c>_class_name</c>.</exception>
    public static IFlowScheduler CreateFlow(string json, string source = "scheduler_config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        string? name = FlowConfigJson.ClassNameOf(json, source);
        return name switch
        {
            FlowMatchEuler => new FlowMatchEulerDiscreteScheduler(FlowMatchEulerSchedulerConfig.Parse(json, source)),
            UniPC => new UniPCMultistepScheduler(UniPCSchedulerConfig.Parse(json, source)),
            null => throw new NotSupportedException($"{source}: no `_class_name`; expected {FlowMatchEuler} or {UniPC}"),
            _ => throw new NotSupportedException($"{source}: scheduler class `{name}` is not a flow-matching scheduler (expected {FlowMatchEuler} or {UniPC})"),
        };
    }

    /// <summary>Reads a scheduler_config.json file (or the one inside a <c>scheduler</c> folder) and creates the flow
    /// scheduler it names (<see cref="CreateFlow"/>).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static IFlowScheduler LoadFlow(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) path = Path.Combine(path, "scheduler_config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        return CreateFlow(File.ReadAllText(path), path);
    }

    /// <summary>Creates the scheduler named <paramref name="className"/> (default: the config's <c>_class_name</c>).
    /// The CogVideoX checkpoints ship a DDIM config; passing <see cref="DPM"/> builds the DPM scheduler from the same
    /// tables, as diffusers' <c>from_config</c> does.</summary>
    /// <param name="config">Scheduler config.</param>
    /// <param name="className">Class to build, or null for <see cref="SchedulerConfig.ClassName"/>.</param>
    /// <param name="chainPreviousX0">DPM only: see <see cref="CogVideoXDPMScheduler.ChainPreviousX0"/>.</param>
    /// <exception cref="NotSupportedException">Unknown or missing class name.</exception>
    public static IScheduler Create(SchedulerConfig config, string? className = null, bool chainPreviousX0 = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        string name = className ?? config.ClassName
            ?? throw new NotSupportedException("the scheduler config has no `_class_name`; pass the class name explicitly");
        return name switch
        {
            DDIM => new CogVideoXDDIMScheduler(config),
            DPM => new CogVideoXDPMScheduler(config, chainPreviousX0),
            _ => throw new NotSupportedException($"scheduler class `{name}` is not supported (expected {DDIM} or {DPM})"),
        };
    }
}
