using LaMo.Diffusion.Schedulers.Flow;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>The noise levels of a flow-matching family (Wan): x_t = (1 − σ)·x₀ + σ·ε, with the family's timesteps the
/// continuous t = σ·N (float32) that the transformer receives.</summary>
/// <remarks>σ(t) = t/N is the flow σ itself, so the Motion Drift Loss's weight w = mean max(0, 1 − σ²) sees exactly the
/// σ that noised the sample (the σ finetrainers passes to LaMo's loss). The noise std is also σ: the coefficient of the
/// unit noise in x_t, the counterpart of √(1 − ᾱ_t) in x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε (docs/method.md, "LaMo on flow
/// matching"). Training σ are drawn from the shifted training table (<see cref="FlowSigmaSampling"/>). Holds no tensors.</remarks>
public sealed class FlowNoiseLevels : INoiseLevels
{
    private readonly float[] _table;

    /// <summary>The levels over the training table <paramref name="trainSigmas"/> (descending, σ_0 = 1 …
    /// σ_{N−1} = shift(1/N); e.g. <see cref="FlowMatchEulerDiscreteScheduler.TrainSigmas"/>).</summary>
    /// <exception cref="ArgumentException">The table is shorter than 2, not in (0, 1], or not descending.</exception>
    public FlowNoiseLevels(IReadOnlyList<float> trainSigmas, FlowSigmaSampling? sampling = null)
    {
        ArgumentNullException.ThrowIfNull(trainSigmas);
        if (trainSigmas.Count < 2) throw new ArgumentException("the σ table needs at least 2 values", nameof(trainSigmas));
        for (int i = 0; i < trainSigmas.Count; i++)
        {
            if (!(trainSigmas[i] > 0 && trainSigmas[i] <= 1)) throw new ArgumentException($"σ[{i}] = {trainSigmas[i]} is not in (0, 1]", nameof(trainSigmas));
            if (i > 0 && !(trainSigmas[i] < trainSigmas[i - 1])) throw new ArgumentException($"the σ table must descend (σ[{i}] = {trainSigmas[i]})", nameof(trainSigmas));
        }
        _table = trainSigmas.ToArray();
        Sampling = (sampling ?? new FlowSigmaSampling()).Validate();
    }

    /// <summary>The levels of diffusers' <c>FlowMatchEulerDiscreteScheduler(num_train_timesteps, shift)</c> training table
    /// (σ_i = shift((N − i)/N) in float32; Wan 2.1 trains with shift 3 at 480p and 5 at 720p).</summary>
    public static FlowNoiseLevels FromShift(double shift, int numTrainTimesteps = 1000, FlowSigmaSampling? sampling = null)
    {
        using var euler = new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { NumTrainTimesteps = numTrainTimesteps, Shift = shift });
        return new FlowNoiseLevels(euler.TrainSigmas, sampling);
    }

    /// <summary>How training σ are drawn.</summary>
    public FlowSigmaSampling Sampling { get; }

    /// <summary>The training σ table (float32, descending).</summary>
    public IReadOnlyList<float> TrainSigmas => _table;

    /// <inheritdoc />
    public int NumTrainTimesteps => _table.Length;

    /// <summary>t = σ·N for σ drawn as <see cref="Sampling"/> says: u drawn from <paramref name="generator"/>,
    /// index ⌊u·N⌋ (clamped to N − 1, which only a sigmoid rounding to 1 could exceed), σ = table[index]; float32 [count].</summary>
    public Tensor SampleTimesteps(long count, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        using var scope = NewDisposeScope();
        var u = Sampling.Scheme == FlowSigmaScheme.LogitNormal
            ? (randn(new[] { count }, generator: generator, device: CPU) * Sc(Sampling.LogitStd)).add(Sc(Sampling.LogitMean), Sc(1)).sigmoid()
            : rand(new[] { count }, generator: generator, device: CPU);
        var index = (u * Sc((float)NumTrainTimesteps)).to_type(ScalarType.Int64).clamp_max(Sc((long)NumTrainTimesteps - 1));
        var table = tensor(_table, ScalarType.Float32, device: CPU);
        return (table.index_select(0, index) * Sc((float)NumTrainTimesteps)).MoveToOuterDisposeScope();
    }

    /// <summary>σ = t / N (float32): the flow σ of timestep t = σ·N.</summary>
    public Tensor Sigma(Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        return timesteps.to_type(ScalarType.Float32) / Sc((float)NumTrainTimesteps);
    }

    /// <summary>σ again: the coefficient of ε in x_t = (1 − σ)·x₀ + σ·ε.</summary>
    public Tensor NoiseStd(Tensor timesteps) => Sigma(timesteps);

    /// <summary>x_t = (1 − σ)·x₀ + σ·ε with σ = t/N per batch element.</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(x0);
        using var sigma = Sigma(timesteps);
        return FlowMath.AddNoise(x0, noise, sigma.to(x0.device).to_type(x0.dtype));
    }
}
