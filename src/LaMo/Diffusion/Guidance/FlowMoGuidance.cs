using LaMo.Diffusion.Backbones;
using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Guidance;

/// <summary>FlowMo (training-free variance-based motion guidance), the baseline LaMo's Motion Prior Guidance is compared
/// with: in the early steps it edits x_t to lower the patch-wise temporal variance of the model's own x̂₀, back-propagating
/// through the whole backbone (docs/method.md §3 remark: about 2.4× the sampling time).</summary>
/// <remarks>
/// <para>Per guided step s &lt; <see cref="FlowMoOptions.GuidedSteps"/>, for k = 1 … <see cref="FlowMoOptions.Iterations"/>:
/// v = Denoiser(x_t) (CFG included, differentiable); x̂₀ from v by the backbone's step prediction
/// (<see cref="GuidanceContext.StepPrediction"/>: √ᾱ·x_t − √(1−ᾱ)·v for CogVideoX's v-prediction, x_t − σ·v for Wan's
/// flow, which is how FlowMo's code reads x̂₀ on Wan 2.1); L = Σ_b <see cref="VarianceLoss"/>(x̂₀ frames-first)_b
/// (a sum, so each video's gradient is its own); g = ∂L/∂x_t through the backbone; x_t ← x_t − step(g) (Adam or plain
/// descent). Only x_t receives a gradient: the backbone's parameters are never written (<c>autograd.grad</c> with x_t as
/// the only input leaves no <c>.grad</c> behind).</para>
/// <para><b>Returned model output.</b> FlowMo's code hands the edited latent x_t′ = x_t + δ to the scheduler together
/// with the step's original v. An <see cref="IGuidance"/> can only change v, and the scheduler still steps from x_t, so
/// this class returns the v′ whose clean-latent estimate at x_t equals the one FlowMo's scheduler sees:
/// x̂₀(v′, x_t) = x̂₀(v, x_t′). x̂₀ is affine (a·x_t − c·v), so v′ = v − (a/c)·δ: √(ᾱ/(1−ᾱ))·δ for v-prediction, δ/σ for
/// flow (v is the step's output, or the re-prediction at x_t′ when <see cref="FlowMoOptions.Repredict"/> is set). This is
/// exact for x̂₀ and scheduler-independent; what it drops is δ carried along the noise path (for DDIM
/// √((1−ᾱ_prev)/(1−ᾱ))·δ, for a flow Euler step δ itself), which would need the scheduler's coefficients. A pipeline that
/// wants the literal latent edit calls <see cref="Optimize"/> and steps from <see cref="FlowMoEdit.Latents"/> itself.</para>
/// </remarks>
public sealed partial class FlowMoGuidance : IGuidance
{
    private const double Beta1 = 0.9, Beta2 = 0.999;   // torch.optim.Adam defaults, as in the released code

    /// <summary>Creates the guidance term.</summary>
    /// <param name="options">Hyper-parameters; defaults to <see cref="FlowMoOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public FlowMoGuidance(FlowMoOptions? options = null) => Options = (options ?? new FlowMoOptions()).Validate();

    /// <summary>The validated options.</summary>
    public FlowMoOptions Options { get; }

    /// <summary>Whether step <paramref name="stepIndex"/> (0 = noisiest) is inside FlowMo's window.</summary>
    public bool IsActive(int stepIndex) => stepIndex >= 0 && stepIndex < Options.GuidedSteps;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Inside the window without a <see cref="GuidanceContext.Denoiser"/>,
    /// or at a step where x̂₀ does not depend on the output (ᾱ = 1, σ = 0).</exception>
    public Tensor Apply(GuidanceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsActive(context.StepIndex)) return context.ModelOutput.alias();
        var prediction = context.StepPrediction;
        if (!prediction.CanInvert)
            throw new InvalidOperationException($"FlowMo cannot fold a latent edit into the model output at step {context.StepIndex}: x̂₀ does not depend on it there");

        using var scope = NewDisposeScope();
        var edit = Optimize(context);
        using var noGrad = no_grad();
        var v = edit.Velocity ?? context.ModelOutput.detach();
        var xt = context.Latents.detach();
        // x̂₀ is affine in x_t at a fixed output, so the edit's x̂₀ change is P(v, x_t′) − P(v, x_t); fold it into v.
        var x0Change = prediction.PredictX0(v, edit.Latents).sub(prediction.PredictX0(v, xt));
        var guided = v.add(prediction.PredictionChange(x0Change), Sc(1));
        return guided.to(context.ModelOutput.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Runs FlowMo's latent optimisation at this step regardless of the window.</summary>
    /// <returns>The edited latent and the loss before the edit (caller-owned).</returns>
    /// <exception cref="InvalidOperationException"><see cref="GuidanceContext.Denoiser"/> is null.</exception>
    /// <exception cref="ArgumentException">Latents (in the context's layout) have fewer than 3 frames, or sides not divisible by the patch size.</exception>
    public FlowMoEdit Optimize(GuidanceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var denoiser = context.Denoiser ?? throw new InvalidOperationException(
            "FlowMo back-propagates through the backbone: the pipeline must pass GuidanceContext.Denoiser " +
            "(a differentiable x_t → v closure with CFG) at the steps FlowMo guides");
        using var scope = NewDisposeScope();
        var x = context.Latents.detach().clone();                                             // x_t, [B, F, C, H, W]
        var prediction = context.StepPrediction;
        Tensor? m = null, s = null, initialLoss = null;
        for (int k = 1; k <= Options.Iterations; k++)
        {
            Tensor grad;
            using (enable_grad())
            {
                var xg = x.detach().requires_grad_(true);
                var x0Hat = context.Layout.ToFramesFirst(prediction.PredictX0(denoiser(xg), xg));   // [B, F, C, H, W]
                var losses = VarianceLoss(x0Hat, Options.PatchSize, Options.Reduction);        // [B]
                initialLoss ??= losses.detach().clone();
                grad = autograd.grad([losses.sum()], [xg])[0];                                 // ∂L/∂x_t only
            }
            using (no_grad()) x = x - Step(grad, k, ref m, ref s);
        }
        Tensor? velocity = null;
        if (Options.Repredict)
            using (no_grad()) velocity = denoiser(x).detach().MoveToOuterDisposeScope();
        return new FlowMoEdit(x.MoveToOuterDisposeScope(), initialLoss!.MoveToOuterDisposeScope(), velocity);
    }

    /// <summary>The descent step for gradient g at iteration k (1-based); Adam keeps its moments in m and s.</summary>
    private Tensor Step(Tensor g, int k, ref Tensor? m, ref Tensor? s)
    {
        double lr = Options.LearningRate;
        if (Options.UpdateRule == FlowMoUpdateRule.GradientDescent) return Sc(lr) * g;
        m = m is null ? Sc(1 - Beta1) * g : (Sc(Beta1) * m).add(Sc(1 - Beta1) * g, Sc(1));                // first moment
        s = s is null ? Sc(1 - Beta2) * g * g : (Sc(Beta2) * s).add(Sc(1 - Beta2) * g * g, Sc(1));        // second moment
        var mHat = m / Sc(1 - Math.Pow(Beta1, k));
        var sHat = s / Sc(1 - Math.Pow(Beta2, k));
        return Sc(lr) * mHat / sHat.sqrt().add(Sc(Options.AdamEpsilon), Sc(1));                       // k = 1: lr·g/(|g|+ε)
    }
}
