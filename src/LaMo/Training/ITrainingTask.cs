using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>One kind of training (VAE, backbone with or without LaMo, predictor only) as seen by <see cref="TrainingLoop"/>:
/// which modules are saved, which parameters are optimised, and one forward+backward on the step's batch.</summary>
/// <remarks>The batch and every random draw of a step must be a pure function of (seed, step): then resuming from a
/// checkpoint reproduces the uninterrupted run's losses exactly without saving data-loader state.</remarks>
public interface ITrainingTask
{
    /// <summary>Modules written to each checkpoint, by file name (e.g. <c>transformer</c>, <c>predictor</c>).</summary>
    IReadOnlyDictionary<string, nn.Module> SavedModules { get; }

    /// <summary>Optimiser groups with their own learning-rate schedules.</summary>
    IReadOnlyList<ScheduledGroup> Groups { get; }

    /// <summary>Computes the losses of <paramref name="step"/> and back-propagates them (no optimiser step).
    /// Returns named scalars; <c>loss</c> is the total that was back-propagated.</summary>
    IReadOnlyDictionary<string, double> ForwardBackward(int step);
}

/// <summary>An optimiser group plus its schedule.</summary>
/// <param name="Group">Parameters, weight decay and clip norm.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="WarmupSteps">Linear warm-up steps.</param>
/// <param name="Schedule">Constant or cosine after warm-up.</param>
public sealed record ScheduledGroup(OptimizerGroup Group, double LearningRate, int WarmupSteps, LrScheduleKind Schedule);

/// <summary>Helpers to build parameter groups.</summary>
public static class ParamGroups
{
    /// <summary>The trainable parameters of <paramref name="module"/> by state-dict name.</summary>
    public static IReadOnlyDictionary<string, Parameter> Trainable(nn.Module module) =>
        module.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
}
