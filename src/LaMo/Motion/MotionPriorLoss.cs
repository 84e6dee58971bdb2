using LaMo.Diffusion.Backbones;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The prior's training objective on clean latents, docs/method.md §1 "Predictor objective":
/// L_φ = MSE(Δẑ, Δz) + α·mean_pairs(1 − cos(vec Δẑ, vec Δz)) with lag-1 targets Δz = z[:, f+1] − z[:, f].</summary>
/// <remarks>Port of LaMo <c>compute_predictor_loss</c> (physical_motion_lamo.py @55a3daa), including the order of its
/// random draws: prompt keep [N,1], augmentation gate [N,1,1,1], t' [N], ε [N,C,H,W].</remarks>
public sealed class MotionPriorLoss
{
    private readonly IMotionPriorDraws _draws;

    /// <summary>The settings in use.</summary>
    public MotionPriorLossOptions Options { get; }

    /// <summary>Creates the loss; <paramref name="draws"/> defaults to a <see cref="SeededMotionPriorDraws"/> with seed 0.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MotionPriorLoss(MotionPriorLossOptions? options = null, IMotionPriorDraws? draws = null)
    {
        Options = (options ?? MotionPriorLossOptions.Default).Validate();
        _draws = draws ?? new SeededMotionPriorDraws(0);
    }

    /// <summary>Computes L_φ for clean latents <paramref name="latents"/> [B, T, C, H, W] (detached here, so only φ
    /// gets gradients). <paramref name="promptPooled"/> [B, D_text] (null = the prior's learned null prompt);
    /// <paramref name="alphasCumprod"/> the training ᾱ table [1000] for the diffusion-aligned augmentation
    /// (null = the original's fallback σ ~ U[0,1)·s).</summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public MotionPriorLossResult Compute(MotionPrior prior, Tensor latents, Tensor? promptPooled = null, Tensor? alphasCumprod = null) =>
        ComputeCore(prior, latents, promptPooled, alphasCumprod is null ? null : new AlphaCumprodNoiseLevels(alphasCumprod));

    /// <summary>As <see cref="Compute(MotionPrior, Tensor, Tensor?, Tensor?)"/> with the augmentation's noise std taken
    /// from the backbone's noise schedule <paramref name="noiseLevels"/> (√(1−ᾱ[t']) for CogVideoX, σ for flow matching).</summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public MotionPriorLossResult Compute(MotionPrior prior, Tensor latents, Tensor? promptPooled, INoiseLevels noiseLevels)
    {
        ArgumentNullException.ThrowIfNull(noiseLevels);
        return ComputeCore(prior, latents, promptPooled, noiseLevels);
    }

    private MotionPriorLossResult ComputeCore(MotionPrior prior, Tensor latents, Tensor? promptPooled, INoiseLevels? noiseLevels)
    {
        if (latents.dim() != 5) throw new ArgumentException($"latents must be [B, T, C, H, W]; got [{string.Join(", ", latents.shape)}]", nameof(latents));
        long b = latents.shape[0], t = latents.shape[1], c = latents.shape[2], h = latents.shape[3], w = latents.shape[4];
        if (t < 2)
        {
            var zero = zeros([], latents.dtype, latents.device);
            return new MotionPriorLossResult(zero, zero.alias(), zero.alias(), zero.alias(), zeros([0, c, h, w], latents.dtype, latents.device), 0);
        }
        var z = latents.detach();
        var zCurr = z[.., ..^1].reshape(-1, c, h, w);          // [B, T−1, C, H, W] → [N, C, H, W]
        var zNext = z[.., 1..].reshape(-1, c, h, w);
        var deltaTrue = zNext - zCurr;                           // Δz, lag 1
        long n = zCurr.shape[0];

        Tensor? prevDelta = null;
        if (prior.Config.UsePrevDelta)
        {
            // Δz_{f−1} for each pair, zero for each video's first pair.
            var seq = zeros([b, t - 1, c, h, w], deltaTrue.dtype, deltaTrue.device);
            if (t > 2) seq[.., 1..] = deltaTrue.reshape(b, t - 1, c, h, w)[.., ..^1];
            prevDelta = seq.reshape(-1, c, h, w);
        }

        var prompt = PromptPerPair(prior, promptPooled, b, t - 1);
        var zIn = Augment(zCurr, noiseLevels);
        var pred = prior.forward(zIn, prompt, prevDelta);

        var mse = nn.functional.mse_loss(pred, deltaTrue);
        var cos = nn.functional.cosine_similarity(pred.reshape(n, -1), deltaTrue.reshape(n, -1), 1);   // [N], over C·H·W
        var cosLoss = cos.neg().add(Sc(1.0), Sc(1)).mean();
        var loss = mse.add(Sc(Options.CosineWeight) * cosLoss, Sc(1));
        return new MotionPriorLossResult(loss, mse, cosLoss, cos.detach().mean(), pred, n);
    }

    /// <summary>[B, D] → [B·(T−1), D] (pair n uses prompt n // (T−1)), then prompt dropout: dropped rows become zeros,
    /// which still go through prompt_proj (not the null prompt).</summary>
    private Tensor? PromptPerPair(MotionPrior prior, Tensor? promptPooled, long b, long pairsPerVideo)
    {
        if (promptPooled is null) return null;
        if (promptPooled.dim() != 2 || promptPooled.shape[0] != b)
            throw new ArgumentException($"prompt_pooled must be [B={b}, D]; got [{string.Join(", ", promptPooled.shape)}]", nameof(promptPooled));
        var p = promptPooled.unsqueeze(1).expand(b, pairsPerVideo, -1).reshape(b * pairsPerVideo, -1);   // [N, D]
        if (!prior.Config.UsePromptCond || Options.PromptDropoutProb <= 0) return p;
        var keep = _draws.PromptKeep(p.shape[0]).gt(Sc(Options.PromptDropoutProb)).to_type(p.dtype).to(p.device);    // [N, 1]
        return p * keep;
    }

    /// <summary>Diffusion-aligned augmentation: with probability p per pair, z ← z + s·std(t')·ε, t' ~ U{0..T_train−1},
    /// std(t') the noise std of the backbone's schedule (√(1−ᾱ[t']) for CogVideoX).</summary>
    private Tensor Augment(Tensor zCurr, INoiseLevels? noiseLevels)
    {
        if (Options.NoiseAugProb <= 0) return zCurr;
        long n = zCurr.shape[0];
        // The draws come from a CPU generator (the same on every device) and are moved to the latents' device.
        var gate = _draws.AugmentGate(n).lt(Sc(Options.NoiseAugProb)).to(zCurr.device);                 // [N, 1, 1, 1]
        Tensor sigma;
        if (noiseLevels is not null)
        {
            var tPrime = _draws.AugmentTimesteps(n, noiseLevels.NumTrainTimesteps);
            sigma = (noiseLevels.NoiseStd(tPrime) * Sc(Options.NoiseAugScale)).view(n, 1, 1, 1);          // ᾱ[t'] as float32, like the original
        }
        else sigma = _draws.AugmentLevel(n) * Sc(Options.NoiseAugScale);
        sigma = sigma.to(zCurr.device);
        var noise = _draws.Noise(zCurr.shape).to(zCurr.device);
        return where(gate, zCurr.add(sigma * noise, Sc(1)), zCurr);
    }
}
