using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Motion Prior Guidance (docs/method.md §3): after CFG, inside the window s ≥ (int)((1 − ρ)·S),
/// v_guided = v − λ ∇_v L_guide(v) with x̂₀(v) = √ᾱ_t x_t − √(1−ᾱ_t) v and
/// L_guide = mean((x̂₀[:, :−1] + f_φ(x̂₀[:, :−1], p_pos) − x̂₀[:, 1:])²).</summary>
/// <remarks>Port of LaMo <c>apply_classifier_guidance</c> (physical_motion_lamo.py @55a3daa) as
/// <c>pipeline_cogvideox_lamo.py</c> calls it: p_pos is the plain mean of the positive prompt embeddings (the learned
/// null prompt when there are none), ᾱ_t is cast to float32 before the square roots, and the gradient flows through
/// both slices of x̂₀ and the prior's activations. The prior is frozen: <c>autograd.grad</c> w.r.t. v only, so its
/// parameters get no <c>.grad</c> and are not changed. Works under an outer <c>no_grad</c> (it opens
/// <c>enable_grad</c> itself). The prior is borrowed, not owned.</remarks>
public sealed class MotionPriorGuidance : IGuidance
{
    private readonly MotionPrior _prior;

    /// <summary>The settings in use.</summary>
    public MotionPriorGuidanceOptions Options { get; }

    /// <summary>Observer of the prior's input x̂₀[:, :−1] and output per guided call (verification aid).</summary>
    internal Action<string, Tensor>? Observe { get; set; }

    /// <summary>Guides with the frozen <paramref name="prior"/> and <paramref name="options"/> (published defaults when null).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MotionPriorGuidance(MotionPrior prior, MotionPriorGuidanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prior);
        _prior = prior;
        Options = (options ?? MotionPriorGuidanceOptions.Default).Validate();
    }

    /// <summary>Returns the guided model output; outside the window (or with fewer than 2 frames) an alias of the
    /// unchanged <see cref="GuidanceContext.ModelOutput"/>. x̂₀ and its inverse come from the context's
    /// <see cref="GuidanceContext.StepPrediction"/> (the backbone's prediction type; v-prediction for CogVideoX), and the
    /// prior sees x̂₀ frames-first whatever the context's <see cref="GuidanceContext.Layout"/>.</summary>
    /// <exception cref="ArgumentException">Latents and model output are not both 5-D of one shape.</exception>
    public Tensor Apply(GuidanceContext context)
    {
        var v = context.ModelOutput;
        if (!Options.IsActive(context.StepIndex, context.StepCount)) return v.alias();
        if (context.Latents.dim() != 5 || !context.Latents.shape.SequenceEqual(v.shape))
            throw new ArgumentException($"latents [{string.Join(", ", context.Latents.shape)}] and model output [{string.Join(", ", v.shape)}] must be equal [B, F, C, H, W] shapes", nameof(context));
        var layout = context.Layout;
        if (v.shape[layout.FrameAxis()] < 2) return v.alias();
        var step = context.StepPrediction;                                               // CogVideoX: ᾱ_t.float(), as the original
        if (Options.Mode == MotionPriorGuidanceMode.DirectLatentEdit && !step.CanInvert) return v.alias();

        using var scope = NewDisposeScope();
        Tensor result;
        using (enable_grad())
        {
            var xt = context.Latents.detach().to_type(ScalarType.Float32);
            var prompt = context.PromptEmbeds is null ? null : MotionPrior.PoolPrompt(context.PromptEmbeds.detach().to_type(ScalarType.Float32));
            if (Options.Mode == MotionPriorGuidanceMode.VelocityGradient)
            {
                var vLeaf = v.detach().to_type(ScalarType.Float32).clone().requires_grad_(true);
                var x0 = step.PredictX0(vLeaf, xt);                                          // x̂₀(v), differentiable in v
                var grad = autograd.grad([GuideLoss(layout.ToFramesFirst(x0), prompt)], [vLeaf])[0];   // ∇_v L_guide
                result = v - Sc(Options.Lambda) * grad.to_type(v.dtype);                     // v − λ ∇_v L
            }
            else
            {
                var x0 = step.PredictX0(v.detach().to_type(ScalarType.Float32), xt).requires_grad_(true);
                var grad = autograd.grad([GuideLoss(layout.ToFramesFirst(x0), prompt)], [x0])[0];      // ∇_{x̂₀} L_guide
                // x̂₀' = x̂₀ − λ∇L at the same x_t  ⇔  v' = v + (change for −λ∇L) = v + λ∇L / √(1 − ᾱ) for v-prediction.
                result = v.add(step.PredictionChange(Sc(-Options.Lambda) * grad).to_type(v.dtype), Sc(1));
            }
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>L_guide(x̂₀) = mean((x̂₀[:, :−1] + f_φ(x̂₀[:, :−1], p) − x̂₀[:, 1:])²) over all elements.</summary>
    private Tensor GuideLoss(Tensor x0, Tensor? prompt)
    {
        long b = x0.shape[0], t = x0.shape[1], c = x0.shape[2], h = x0.shape[3], w = x0.shape[4];
        var zCurr = x0[.., ..^1].reshape(-1, c, h, w);                                     // [B, T−1, C, H, W] → [B·(T−1), C, H, W]
        var zNext = x0[.., 1..].reshape(-1, c, h, w);
        Tensor? prevDelta = null;
        if (_prior.Config.UsePrevDelta)
        {
            // Δx̂₀ of the previous pair (zero for each video's first), not detached, as the original.
            var seq = zeros([b, t - 1, c, h, w], x0.dtype, x0.device);
            if (t > 2) seq[.., 1..] = (zNext - zCurr).reshape(b, t - 1, c, h, w)[.., ..^1];
            prevDelta = seq.reshape(-1, c, h, w);
        }
        var delta = _prior.forward(zCurr, prompt, prevDelta).to_type(zCurr.dtype);       // f_φ(x̂₀(f), p_pos)
        Observe?.Invoke("predictor_input_x0hat_frames", zCurr);
        Observe?.Invoke("predictor_output", delta);
        return nn.functional.mse_loss(zCurr.add(delta, Sc(1)), zNext);
    }
}
