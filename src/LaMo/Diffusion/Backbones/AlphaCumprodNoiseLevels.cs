using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>The noise levels of a discrete-time variance-preserving schedule given by its ᾱ table (CogVideoX's):
/// x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε for integer t ∈ [0, N).</summary>
/// <remarks>σ is t/N, LaMo's drift weight (docs/method.md §2), not √(1−ᾱ_t); the noise std is √(1−ᾱ_t) with ᾱ gathered and
/// then cast to float32, as the original's predictor augmentation does. A table built by <see cref="FromTable"/> is
/// owned (and released by <see cref="Dispose"/>); one passed to the constructor is borrowed.</remarks>
public sealed class AlphaCumprodNoiseLevels : INoiseLevels, IDisposable
{
    private readonly Tensor _table;
    private readonly bool _owned;

    /// <summary>Wraps <paramref name="alphasCumprod"/> [N] (any float dtype; borrowed, not copied).</summary>
    /// <exception cref="ArgumentException">The table is not 1-D and non-empty.</exception>
    public AlphaCumprodNoiseLevels(Tensor alphasCumprod) : this(alphasCumprod, owned: false) { }

    private AlphaCumprodNoiseLevels(Tensor table, bool owned)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.dim() != 1 || table.shape[0] == 0)
            throw new ArgumentException($"alphas_cumprod must be [N > 0]; got [{string.Join(", ", table.shape)}]", nameof(table));
        _table = table; _owned = owned;
    }

    /// <summary>The levels of the float64 table <paramref name="alphasCumprod"/> (e.g. <see cref="Schedulers.NoiseSchedule.AlphasCumprod"/>),
    /// kept as an owned float32 tensor outside any dispose scope.</summary>
    public static AlphaCumprodNoiseLevels FromTable(IReadOnlyList<double> alphasCumprod)
    {
        ArgumentNullException.ThrowIfNull(alphasCumprod);
        return new AlphaCumprodNoiseLevels(tensor(alphasCumprod.ToArray(), device: CPU).to_type(ScalarType.Float32).DetachFromDisposeScope(), owned: true);
    }

    /// <inheritdoc />
    public int NumTrainTimesteps => (int)_table.shape[0];

    /// <summary>ᾱ_t per element of integer <paramref name="timesteps"/>, as float32 on the device of <paramref name="timesteps"/>.</summary>
    public Tensor AlphaCumprod(Tensor timesteps) =>
        _table.to(timesteps.device).index_select(0, timesteps).to_type(ScalarType.Float32);   // the table moves, not the indices: no host sync

    /// <summary>t ~ U{0 … N−1}, int64 [<paramref name="count"/>].</summary>
    public Tensor SampleTimesteps(long count, Generator generator) =>
        randint(0L, (long)NumTrainTimesteps, new long[] { count }, generator: generator, device: CPU);

    /// <summary>σ = t / N.</summary>
    public Tensor Sigma(Tensor timesteps) => timesteps.to_type(ScalarType.Float32) / Sc((float)NumTrainTimesteps);

    /// <summary>√(1 − ᾱ_t).</summary>
    public Tensor NoiseStd(Tensor timesteps) => OneMinus(AlphaCumprod(timesteps)).sqrt();

    /// <summary>Releases the table when it is owned.</summary>
    public void Dispose()
    {
        if (_owned) _table.Dispose();
    }
}
