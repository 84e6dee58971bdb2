using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>CogVideoX behind the backbone seam: a v-prediction transformer over the scheduler's ᾱ table, latents
/// frames-first [B, F, C, H, W], integer timesteps t ∈ [0, N).</summary>
/// <remarks>ᾱ is the scheduler's float64 table cast to float32 once and then gathered (as the training task always did);
/// <see cref="AddNoise"/> is the scheduler's own (diffusers' <c>add_noise</c>). The transformer sees its parameters'
/// dtype and its output comes back as float32. The RoPE tables (5B-style models) are built once per latent grid.
/// The transformer and scheduler are borrowed; <see cref="Dispose"/> releases only the tables this object built.
/// The scheduler's <c>prediction_type</c> is not consulted: CogVideoX is trained with v-prediction.</remarks>
public sealed class CogVideoXBackbone : IDiffusionBackbone, IDisposable
{
    private readonly AlphaCumprodNoiseLevels _levels;
    private RotaryTables? _rope;
    private (long Frames, long Height, long Width) _ropeGrid;

    /// <summary>Puts <paramref name="transformer"/> and <paramref name="scheduler"/> behind the seam. With
    /// <paramref name="latentGrid"/> (latent frames, height, width) the RoPE tables are built now for that grid.</summary>
    public CogVideoXBackbone(CogVideoXTransformer3DModel transformer, IScheduler scheduler, (int Frames, int Height, int Width)? latentGrid = null)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(scheduler);
        Transformer = transformer; Scheduler = scheduler;
        _levels = AlphaCumprodNoiseLevels.FromTable(scheduler.Schedule.AlphasCumprod);
        if (latentGrid is { } g) RopeFor(g.Frames, g.Height, g.Width);
    }

    /// <summary>The transformer.</summary>
    public CogVideoXTransformer3DModel Transformer { get; }

    /// <summary>The scheduler whose training table this backbone uses.</summary>
    public IScheduler Scheduler { get; }

    /// <inheritdoc />
    public nn.Module Denoiser => Transformer;

    /// <inheritdoc />
    public LatentLayout Layout => LatentLayout.FramesFirst;

    /// <summary>The ᾱ table's levels: σ = t/N, noise std √(1−ᾱ_t).</summary>
    public AlphaCumprodNoiseLevels AlphaLevels => _levels;

    /// <inheritdoc />
    public INoiseLevels NoiseLevels => _levels;

    /// <summary>x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε (the scheduler's <c>add_noise</c>).</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor timesteps) => Scheduler.AddNoise(x0, noise, timesteps);

    /// <summary>The transformer's v for x_t [B, F, C, H, W].</summary>
    public Tensor Predict(Tensor xt, Tensor textEmbeds, Tensor timesteps)
    {
        ArgumentNullException.ThrowIfNull(xt);
        ArgumentNullException.ThrowIfNull(textEmbeds);
        if (xt.dim() != 5) throw new ArgumentException($"x_t must be [B, F, C, H, W]; got [{string.Join(", ", xt.shape)}]", nameof(xt));
        var dt = Transformer.DType();
        var rope = RopeFor(xt.shape[1], xt.shape[3], xt.shape[4]);
        return Transformer.forward(xt.to_type(dt), textEmbeds.to_type(dt), timesteps, rope).to_type(ScalarType.Float32);
    }

    /// <summary>x̂₀ = √ᾱ_t·x_t − √(1−ᾱ_t)·v.</summary>
    public Tensor PredictX0(Tensor prediction, Tensor xt, Tensor timesteps) =>
        DiffusionMath.PredictX0FromV(prediction, xt, _levels.AlphaCumprod(timesteps));

    /// <summary>v = (√ᾱ_t·x_t − x̂₀) / √(1−ᾱ_t).</summary>
    public Tensor PredictionFromX0(Tensor x0, Tensor xt, Tensor timesteps) =>
        DiffusionMath.PredictVFromX0(x0, xt, _levels.AlphaCumprod(timesteps));

    /// <summary>CogVideoX's x₀-space loss weighted by 1/(1−ᾱ_t) (<see cref="Diffusion.DenoisingLoss.VPredictionX0"/>).</summary>
    public Tensor DenoisingLoss(Tensor x0Hat, Tensor x0, Tensor timesteps) =>
        Diffusion.DenoisingLoss.VPredictionX0(x0Hat, x0, _levels.AlphaCumprod(timesteps));

    // The tables of the last grid asked for, kept outside any dispose scope; null for sin-cos (2B-style) models.
    private RotaryTables? RopeFor(long frames, long height, long width)
    {
        var config = Transformer.Config;
        if (!config.UseRotaryPositionalEmbeddings) return null;
        if (_rope is not null && _ropeGrid == (frames, height, width)) return _rope;
        var rope = CogVideoXRotaryEmbedding.ForLatentGrid(config, (int)height, (int)width, (int)frames);
        rope.Cos.DetachFromDisposeScope(); rope.Sin.DetachFromDisposeScope();
        DisposeRope();
        (_rope, _ropeGrid) = (rope, (frames, height, width));
        return rope;
    }

    private void DisposeRope()
    {
        _rope?.Cos.Dispose(); _rope?.Sin.Dispose();
        _rope = null;
    }

    /// <summary>Releases the ᾱ table and the RoPE tables (not the transformer or the scheduler).</summary>
    public void Dispose()
    {
        DisposeRope();
        _levels.Dispose();
    }
}
