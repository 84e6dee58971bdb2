using LaMo.Core;
using LaMo.Motion;

namespace LaMo.Workflows;

/// <summary>A trained predictor on disk: <c>config.json</c> (the original constructor's argument names) and
/// <c>model.safetensors</c> (the original's key names).</summary>
public static class MotionPriorFolder
{
    /// <summary>Writes <paramref name="prior"/> to <paramref name="folder"/>.</summary>
    public static void Save(string folder, MotionPrior prior)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), prior.Config.ToJson());
        SafetensorsWriter.Save(Path.Combine(folder, "model.safetensors"), StateDictLoader.StateDict(prior));
    }

    /// <summary>Loads a predictor strictly.</summary>
    /// <exception cref="FileNotFoundException">config.json or model.safetensors is missing (names it).</exception>
    public static MotionPrior Load(string folder)
    {
        string config = Path.Combine(folder, "config.json"), weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(config)) throw new FileNotFoundException($"{config}: missing (not a predictor folder)", config);
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights}: missing", weights);
        var prior = new MotionPrior(Motion.MotionPriorLimits.Parse(Core.ResourceLimits.ReadConfigText(config), config));
        using var ckpt = Checkpoint.Open(weights);
        StateDictLoader.Load(prior, ckpt);
        prior.eval();
        return prior;
    }

    /// <summary>A preset (<c>paper</c>, <c>small</c>, <c>tiny</c>) or a config JSON path, resized to the latent channels and
    /// text width of the data.</summary>
    public static MotionPriorConfig ResolveConfig(string presetOrPath, int channels, int textDim)
    {
        var baseConfig = presetOrPath switch
        {
            "paper" => MotionPriorConfig.Paper,
            "small" => MotionPriorConfig.Small,
            "tiny" => MotionPriorConfig.Tiny,
            _ when File.Exists(presetOrPath) => Motion.MotionPriorLimits.Parse(Core.ResourceLimits.ReadConfigText(presetOrPath), presetOrPath),
            _ => throw new ArgumentException($"predictor_config '{presetOrPath}' is neither paper, small, tiny nor a file", "predictor_config"),
        };
        return Motion.MotionPriorLimits.Check((baseConfig with { InChannels = channels, PromptTextDim = textDim }).Validate(), presetOrPath);
    }
}
