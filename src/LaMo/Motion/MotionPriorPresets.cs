namespace LaMo.Motion;

/// <summary>The predictor architectures the options name: a preset or a config file.</summary>
public static class MotionPriorPresets
{
    /// <summary>A preset (<c>paper</c>, <c>small</c>, <c>tiny</c>) or a config JSON path, resized to the latent channels and
    /// text width of the data.</summary>
    /// <exception cref="ArgumentException">Neither a preset nor a file (names <c>predictor_config</c>).</exception>
    public static MotionPriorConfig Resolve(string presetOrPath, int channels, int textDim)
    {
        var baseConfig = presetOrPath switch
        {
            "paper" => MotionPriorConfig.Paper,
            "small" => MotionPriorConfig.Small,
            "tiny" => MotionPriorConfig.Tiny,
            _ when File.Exists(presetOrPath) => MotionPriorLimits.Parse(Core.ResourceLimits.ReadConfigText(presetOrPath), presetOrPath),
            _ => throw new ArgumentException($"predictor_config '{presetOrPath}' is neither paper, small, tiny nor a file", "predictor_config"),
        };
        return MotionPriorLimits.Check((baseConfig with { InChannels = channels, PromptTextDim = textDim }).Validate(), presetOrPath);
    }
}
