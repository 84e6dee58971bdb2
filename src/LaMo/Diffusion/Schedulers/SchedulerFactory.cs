namespace LaMo.Diffusion.Schedulers;

/// <summary>Builds a scheduler by diffusers class name (what <c>model_index.json</c> / <c>_class_name</c> say).</summary>
public static class SchedulerFactory
{
    /// <summary>diffusers' <c>CogVideoXDDIMScheduler</c>.</summary>
    public const string DDIM = "CogVideoXDDIMScheduler";

    /// <summary>diffusers' <c>CogVideoXDPMScheduler</c>.</summary>
    public const string DPM = "CogVideoXDPMScheduler";

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
