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

    /// <summary>Loads a predictor strictly, its weights on <paramref name="device"/> (null: the CPU).</summary>
    /// <exception cref="FileNotFoundException">config.json or model.safetensors is missing (names it).</exception>
    public static MotionPrior Load(string folder, TorchSharp.torch.Device? device = null)
    {
        string config = Path.Combine(folder, "config.json"), weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(config)) throw new FileNotFoundException($"{config}: missing (not a predictor folder)", config);
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights}: missing", weights);
        var prior = new MotionPrior(Motion.MotionPriorLimits.Parse(Core.ResourceLimits.ReadConfigText(config), config), device);
        using var ckpt = Checkpoint.Open(weights);
        StateDictLoader.Load(prior, ckpt);
        prior.eval();
        return prior;
    }
}
