using LaMo.Core;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;

namespace LaMo.Diffusion.Pipeline;

/// <summary>The resource bounds of a diffusers pipeline folder and its scheduler config, checked without building
/// anything.</summary>
public static class PipelineFolderLimits
{
    /// <summary>Refuses a scheduler config whose schedule arrays would be absurd.</summary>
    public static SchedulerConfig Check(SchedulerConfig c, string source)
    {
        ResourceLimits.Bound(source, "num_train_timesteps", c.NumTrainTimesteps, ResourceLimits.MaxTrainTimesteps);
        ResourceLimits.Bound(source, "steps_offset", c.StepsOffset, ResourceLimits.MaxTrainTimesteps);
        return c;
    }

    /// <summary>Checks every config of a pipeline folder (transformer, vae, scheduler, text encoder) against the bounds.
    /// Missing components are left to the loader to report.</summary>
    public static void Check(string folder)
    {
        string t = Path.Combine(folder, "transformer", "config.json");
        if (File.Exists(t)) TransformerLimits.Load(t);
        string v = Path.Combine(folder, "vae", "config.json");
        if (File.Exists(v)) VaeLimits.Load(v);
        string s = Path.Combine(folder, "scheduler", "scheduler_config.json");
        if (File.Exists(s)) Check(SchedulerConfig.Parse(ResourceLimits.ReadConfigText(s), s), s);
        TextEncoderParameters(folder);
    }

    /// <summary>Parameters of the folder's T5 or UMT5 text encoder after the bounds; 0 without one (or for the small word
    /// encoder, whose size does not matter).</summary>
    /// <exception cref="InvalidDataException">An absurd or malformed T5 config (named).</exception>
    public static long TextEncoderParameters(string folder)
    {
        string p = Path.Combine(folder, "text_encoder", "config.json");
        if (!File.Exists(p)) return 0;
        ResourceLimits.ReadConfigText(p);   // the size cap, before parsing
        if (TextConfigJson.ClassNameOf(p) is not ("T5EncoderModel" or "UMT5EncoderModel")) return 0;
        var c = TextConfigJson.Load<T5Config>(p, TextConfigJson.WithExtensionData);
        return T5Limits.Parameters(T5Limits.Check(c, p));
    }
}
