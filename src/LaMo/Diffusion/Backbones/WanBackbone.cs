using LaMo.Diffusion.Pipeline;
using LaMo.Models.Wan;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>Wan behind the backbone seam: a flow-matching (velocity) transformer, latents channels-first
/// [B, C, F, H, W], timesteps the continuous t = σ·N (float32) of <see cref="FlowNoiseLevels"/>.</summary>
/// <remarks>x_t = (1 − σ)·x₀ + σ·ε; the model predicts v = ε − x₀; x̂₀ = x_t − σ·v̂ (what UniPC and the last Euler step
/// use, docs/method.md "LaMo on flow matching"), so ∂x̂₀/∂v̂ = −σ and a v-step of λ is an x̂₀-step of λσ². The denoising
/// loss is the flow-matching MSE against v = ε − x₀ (finetrainers' flow target, weighting <c>none</c>), written through
/// x̂₀ as the seam hands it over: v̂ − v = (x₀ − x̂₀)/σ, so mean (v̂ − v)² = mean (x̂₀ − x₀)²/σ². σ is t/N in float32,
/// broadcast per batch element. The transformer is borrowed; the object holds no tensors.</remarks>
public sealed class WanBackbone : IDiffusionBackbone
{
    private readonly FlowNoiseLevels _levels;

    /// <summary>Puts <paramref name="transformer"/> behind the seam with the training levels <paramref name="levels"/>.</summary>
    public WanBackbone(WanTransformer3DModel transformer, FlowNoiseLevels levels)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(levels);
        Transformer = transformer; _levels = levels;
    }

    /// <summary>The backbone with diffusers' FlowMatchEuler training table shifted by <paramref name="shift"/>
    /// (Wan 2.1: 3 at 480p, 5 at 720p).</summary>
    public static WanBackbone FromShift(WanTransformer3DModel transformer, double shift, FlowSigmaSampling? sampling = null) =>
        new(transformer, FlowNoiseLevels.FromShift(shift, sampling: sampling));

    /// <summary>The transformer.</summary>
    public WanTransformer3DModel Transformer { get; }

    /// <inheritdoc />
    public nn.Module Denoiser => Transformer;

    /// <inheritdoc />
    public LatentLayout Layout => LatentLayout.ChannelsFirst;

    /// <summary>The flow levels: σ = t/N, noise std σ.</summary>
    public FlowNoiseLevels FlowLevels => _levels;

    /// <inheritdoc />
    public INoiseLevels NoiseLevels => _levels;

    /// <summary>x_t = (1 − σ)·x₀ + σ·ε with σ = t/N.</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor timesteps) => _levels.AddNoise(x0, noise, timesteps);

    /// <summary>The transformer's velocity (float32) for x_t [B, C, F, H, W] at timesteps [B] (t = σ·N).</summary>
    public Tensor Predict(Tensor xt, Tensor textEmbeds, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(xt);
        ArgumentNullException.ThrowIfNull(textEmbeds);
        if (xt.dim() != 5) throw new ArgumentException($"x_t must be [B, C, F, H, W]; got [{string.Join(", ", xt.shape)}]", nameof(xt));
        var dt = Transformer.InputDType;
        return Transformer.forward(xt.to_type(dt), timesteps, textEmbeds.to_type(dt)).to_type(ScalarType.Float32);
    }

    /// <summary>x̂₀ = x_t − σ·v̂.</summary>
    public Tensor PredictX0(Tensor prediction, Tensor xt, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        return FlowMath.PredictX0FromVelocity(prediction, xt, SigmaLike(timesteps, xt)).MoveToOuterDisposeScope();
    }

    /// <summary>v̂ = (x_t − x̂₀)/σ (undefined at σ = 0, which the training table never contains).</summary>
    public Tensor PredictionFromX0(Tensor x0, Tensor xt, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        return FlowMath.PredictVelocityFromX0(x0, xt, SigmaLike(timesteps, xt)).MoveToOuterDisposeScope();
    }

    /// <summary>mean_b [ mean_elements (x̂₀ − x₀)² / σ_b² ] = mean (v̂ − (ε − x₀))², the flow-matching MSE.</summary>
    /// <exception cref="ArgumentException">Shapes differ, or timesteps are not [B].</exception>
    public Tensor DenoisingLoss(Tensor x0Hat, Tensor x0, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(x0Hat);
        ArgumentNullException.ThrowIfNull(x0);
        long b = x0.shape[0];
        if (!x0Hat.shape.SequenceEqual(x0.shape)) throw new ArgumentException($"x0_hat [{string.Join(", ", x0Hat.shape)}] and x0 [{string.Join(", ", x0.shape)}] differ");
        if (timesteps.dim() != 1 || timesteps.shape[0] != b) throw new ArgumentException($"timesteps must be [B = {b}]; got [{string.Join(", ", timesteps.shape)}]");
        using var scope = NewDisposeScope();
        var sigma = _levels.Sigma(timesteps).to(x0.device).to_type(x0.dtype).reshape(b, 1);
        var perElement = x0Hat.add(x0, Sc(-1)).reshape(b, -1).div(sigma).pow(Sc(2));
        return perElement.mean(new long[] { 1 }).mean().MoveToOuterDisposeScope();
    }

    private Tensor SigmaLike(Tensor timesteps, Tensor like) => _levels.Sigma(timesteps).to(like.device).to_type(like.dtype);
}
