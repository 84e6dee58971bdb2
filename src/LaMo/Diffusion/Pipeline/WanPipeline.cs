using System.Diagnostics;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.Text;
using LaMo.Models.Wan;
using LaMo.Models.WanVae;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Text-to-video sampling with a Wan 2.1 / 2.2 transformer, the Wan VAE, a flow scheduler (UniPC or
/// FlowMatchEuler) and a text encoder (UMT5), plus the same ordered guidance terms as <see cref="CogVideoXPipeline"/>,
/// applied to the velocity after classifier-free guidance.</summary>
/// <remarks>Stages follow diffusers' <c>WanPipeline.__call__</c> (v0.40): 1 validate, 2 prompt embeddings (masked
/// positions zeroed, as <c>_get_t5_prompt_embeds</c> trims and zero-pads them), 3 timesteps (the flow shift is the
/// scheduler's), 4 initial latents [B, C, (F−1)/r+1, H/s, W/s] channels-first, then <c>set_begin_index(0)</c>,
/// 5 denoising loop: a conditional forward and, when CFG is on (scale &gt; 1), a <b>separate</b> unconditional forward
/// on the negative embeddings, v = v_u + w·(v_c − v_u), 6 decode after de-normalising with the VAE's
/// <c>latents_mean</c> / <c>latents_std</c>. Guidance terms see a <see cref="GuidanceContext"/> whose
/// <see cref="GuidanceContext.Prediction"/> is the flow step at this σ (x̂₀ = x_t − σ·v̂) and whose layout is
/// channels-first; <see cref="GuidanceContext.AlphaCumprod"/> is NaN, since a flow step has no ᾱ. The transformer runs
/// under <c>no_grad</c>; guidance terms open gradients themselves. Wan 2.2 A14B's second expert
/// (<c>boundary_ratio</c>) and image conditioning are not supported.</remarks>
public sealed class WanPipeline : IDisposable
{
    /// <summary>The denoiser.</summary>
    public WanTransformer3DModel Transformer { get; }

    /// <summary>The autoencoder (null: latents only).</summary>
    public AutoencoderKLWan? Vae { get; }

    /// <summary>The flow scheduler (its state is reset by every <see cref="Generate"/>).</summary>
    public IFlowScheduler Scheduler { get; }

    /// <summary>The text encoder (null: prompt embeddings must be given).</summary>
    public ITextEncoder? TextEncoder { get; }

    /// <summary>Guidance terms applied in order after CFG at every step.</summary>
    public IReadOnlyList<IGuidance> Guidance { get; init; } = [];

    /// <summary>Wan 2.2 TI2V's <c>expand_timesteps</c>: the transformer receives one timestep per latent token [B, S].</summary>
    public bool ExpandTimesteps { get; init; }

    /// <summary>Dispose the components with the pipeline.</summary>
    public bool OwnsComponents { get; init; }

    /// <summary>Observer of each step's tensors while they are alive, named as the reference case names them:
    /// <c>step{i}.noise_pred_cond</c>, <c>step{i}.noise_pred_uncond</c>, <c>step{i}.noise_pred_guided</c> (what the
    /// scheduler receives, after guidance terms) and <c>step{i}.latents</c>.</summary>
    public Action<string, Tensor>? Trace { get; init; }

    /// <summary>VAE spatial compression (8 for Wan 2.1; 8 when there is no VAE, as diffusers assumes).</summary>
    public int SpatialFactor { get; }

    /// <summary>VAE temporal compression (4; 4 when there is no VAE).</summary>
    public int TemporalFactor { get; }

    /// <summary>Composes a pipeline; checks that the components fit together.</summary>
    /// <exception cref="ArgumentException">Latent channels or text widths disagree (the message names both).</exception>
    public WanPipeline(WanTransformer3DModel transformer, AutoencoderKLWan? vae, IFlowScheduler scheduler, ITextEncoder? textEncoder)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(scheduler);
        Transformer = transformer; Vae = vae; Scheduler = scheduler; TextEncoder = textEncoder;
        var tc = transformer.Config;
        SpatialFactor = vae is null ? 8 : vae.Config.ScaleFactorSpatial ?? vae.Config.SpatialCompression;
        TemporalFactor = vae is null ? 4 : vae.Config.ScaleFactorTemporal ?? vae.Config.TemporalCompression;
        if (vae is not null && vae.Config.ZDim != tc.InChannels)
            throw new ArgumentException($"vae z_dim ({vae.Config.ZDim}) != transformer in_channels ({tc.InChannels})", nameof(vae));
        if (vae is not null && vae.Config.ZDim != tc.ResolvedOutChannels)
            throw new ArgumentException($"vae z_dim ({vae.Config.ZDim}) != transformer out_channels ({tc.ResolvedOutChannels})", nameof(vae));
        if (textEncoder is not null && textEncoder.EmbeddingDim != tc.TextDim)
            throw new ArgumentException($"text encoder width ({textEncoder.EmbeddingDim}) != transformer text_dim ({tc.TextDim})", nameof(textEncoder));
    }

    /// <summary>Where the pipeline computes: the transformer's device. Latents and timesteps are made there; prompt
    /// embeddings are moved there.</summary>
    public Device Device => Transformer.parameters().First().device;

    /// <summary>Latent frames for <paramref name="rgbFrames"/> RGB frames: (F − 1)/r + 1.</summary>
    public int LatentFrames(int rgbFrames) => (rgbFrames - 1) / TemporalFactor + 1;

    /// <summary>The latent shape [B, C, F', h, w] of a request with <paramref name="batch"/> videos.</summary>
    public long[] LatentShape(GenerationRequest request, long batch)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [batch, Transformer.Config.InChannels, LatentFrames(request.NumFrames), request.Height / SpatialFactor, request.Width / SpatialFactor];
    }

    /// <summary>Generates one video per prompt. <see cref="GenerationResult.Latents"/> are channels-first
    /// [B, C, F', h, w] (normalised, as the transformer sees them); the video is [B, F, 3, H, W] in [−1, 1].</summary>
    /// <exception cref="ArgumentException">The request does not fit the model (the message names the field).</exception>
    public GenerationResult Generate(GenerationRequest request, IProgress<DenoiseStep>? progress = null, CancellationToken ct = default)
    {
        // 1. Validate
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(SpatialFactor, TemporalFactor, Transformer.Config.PatchSize.H);
        Transformer.eval();
        using var outer = NewDisposeScope();

        // 2. Prompt embeddings
        bool cfg = request.GuidanceScale > 1;
        var device = Device;
        var (positive, negative) = PromptEmbeddings(request, cfg, device);
        long batch = positive.shape[0];

        // 3. Timesteps (float64 copies for the scheduler, diffusers' dtype for the transformer)
        Scheduler.SetTimesteps(request.NumInferenceSteps);
        var timesteps = Scheduler.Timesteps;
        var timestepsTensor = Scheduler.TimestepsTensor().to(device);
        var sigmas = Scheduler.Sigmas;

        // 4. Initial latents [B, C, F', h, w]
        var shape = LatentShape(request, batch);
        using var generator = new Generator((ulong)request.Seed);
        var latents = InitialLatents(request, shape, Scheduler.InitNoiseSigma, generator, device);
        Scheduler.SetBeginIndex(0);
        Tensor? given = null, givenNoise = null;
        if (request.ConditioningLatents is { } cond)
        {
            given = GivenLatents(cond, shape, device);                                      // [B, C, F_given, h, w]
            givenNoise = Core.HostRandom.Randn(given.shape, generator, device);
            latents = Impose(latents, given, givenNoise, sigmas[0]);
        }

        // 5. Denoising loop
        var stepSeconds = new List<double>();
        for (int i = 0; i < timesteps.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            using var stepScope = NewDisposeScope();
            var t = TransformerTimestep(timestepsTensor[i], latents);
            double scale = request.GuidanceScale;
            Tensor v;
            using (no_grad()) v = PredictVelocity(latents, t, positive, negative, cfg, scale, $"step{i}.");
            var current = latents;
            Func<Tensor, Tensor> denoiser = x => PredictVelocity(x, TransformerTimestep(timestepsTensor[i], x), positive, negative, cfg, scale, null);
            var context = new GuidanceContext(i, timesteps.Count, (int)timesteps[i], double.NaN, current, v, positive, denoiser,
                new FlowPredictionStep(sigmas[i]), LatentLayout.ChannelsFirst);
            foreach (var g in Guidance) v = g.Apply(context with { ModelOutput = v });
            Trace?.Invoke($"step{i}.noise_pred_guided", v);
            Tensor next;
            using (no_grad())
            {
                next = Scheduler.Step(v.detach(), timesteps[i], latents).PrevSample;
                if (given is not null) next = Impose(next, given, givenNoise!, sigmas[i + 1]);
            }
            Trace?.Invoke($"step{i}.latents", next);
            next = next.MoveToOuterDisposeScope();
            latents.Dispose();
            latents = next;
            stepSeconds.Add(clock.Elapsed.TotalSeconds);
            progress?.Report(new DenoiseStep(i, timesteps.Count, (int)timesteps[i]));
        }

        // 6. Decode
        Tensor? video = null;
        if (request.Decode && Vae is not null)
            using (no_grad()) video = DecodeLatents(latents);
        return new GenerationResult(latents.MoveToOuterDisposeScope(), video?.MoveToOuterDisposeScope(), stepSeconds, LatentLayout.ChannelsFirst);
    }

    /// <summary>Decodes normalised latents [B, C, F', h, w] to RGB [B, F, 3, H, W] in [−1, 1]: z / (1/std) + mean per
    /// channel (WanPipeline's de-normalisation), then the VAE.</summary>
    /// <exception cref="InvalidOperationException">The pipeline has no VAE.</exception>
    public Tensor DecodeLatents(Tensor latents)
    {
        var vae = Vae ?? throw new InvalidOperationException("this pipeline has no VAE");
        using var scope = NewDisposeScope();
        var z = vae.DenormalizeLatents(latents.to_type(vae.DType()));
        var rgb = vae.Decode(z).to_type(ScalarType.Float32).permute(0, 2, 1, 3, 4);   // [B, 3, F, H, W] → [B, F, 3, H, W]
        return rgb.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The (CFG-combined) velocity at x_t = <paramref name="latents"/> [B, C, F', h, w] and transformer timestep
    /// <paramref name="timestep"/> ([B], or [B, S] with <see cref="ExpandTimesteps"/>): the conditional forward, then,
    /// with CFG, a separate unconditional forward on <paramref name="negative"/>. Differentiable in the latents when
    /// called with gradients enabled. <paramref name="tracePrefix"/> non-null hands the outputs to <see cref="Trace"/>.</summary>
    public Tensor PredictVelocity(Tensor latents, Tensor timestep, Tensor positive, Tensor? negative, bool cfg, double scale, string? tracePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(latents);
        var dt = Transformer.InputDType;
        var input = latents.to_type(dt);
        var cond = Transformer.forward(input, timestep, positive.to_type(dt)).to_type(ScalarType.Float32);
        if (tracePrefix is not null) Trace?.Invoke(tracePrefix + "noise_pred_cond", cond);
        if (!cfg) return cond;
        var uncond = Transformer.forward(input, timestep, negative!.to_type(dt)).to_type(ScalarType.Float32);
        if (tracePrefix is not null) Trace?.Invoke(tracePrefix + "noise_pred_uncond", uncond);
        return uncond.add(cond.add(uncond, Sc(-1)), Sc(scale));                                 // v_u + w·(v_c − v_u)
    }

    // The scheduler's timestep as the transformer takes it: expanded to [B], or to [B, S] (one per latent token) for
    // Wan 2.2 TI2V, whose mask is all ones in text-to-video.
    private Tensor TransformerTimestep(Tensor t, Tensor latents)
    {
        long b = latents.shape[0];
        if (!ExpandTimesteps) return t.expand(b);
        var p = Transformer.Config.PatchSize;
        long tokens = latents.shape[2] / p.T * (latents.shape[3] / p.H) * (latents.shape[4] / p.W);
        return t.expand(b, tokens);
    }

    // Drawn on the CPU and moved, as diffusers' randn_tensor does with a CPU generator: a seed gives the same noise on
    // every device.
    private static Tensor InitialLatents(GenerationRequest request, long[] shape, double initNoiseSigma, Generator generator, Device device)
    {
        if (request.InitialLatents is { } given)
        {
            if (!given.shape.SequenceEqual(shape))
                throw new ArgumentException($"initial_latents must be [{string.Join(", ", shape)}]; got [{string.Join(", ", given.shape)}]", nameof(request));
            return given.to_type(ScalarType.Float32).to(device).clone();
        }
        return Core.HostRandom.Randn(shape, generator, device).mul(Sc(initNoiseSigma));
    }

    // Continuation: the given latent frames, frames-first [B, F_given, C, h, w] as the cache and Continuations store them,
    // channels-first here, checked against the video's latent shape.
    private static Tensor GivenLatents(Tensor cond, long[] shape, Device device)
    {
        if (cond.shape[0] != shape[0] || cond.shape[2] != shape[1] || cond.shape[3] != shape[3] || cond.shape[4] != shape[4] || cond.shape[1] >= shape[2])
            throw new ArgumentException($"conditioning_latents must be [{shape[0]}, F_given < {shape[2]}, {shape[1]}, {shape[3]}, {shape[4]}]; got [{string.Join(", ", cond.shape)}]");
        return cond.to_type(ScalarType.Float32).to(device).transpose(1, 2).contiguous();
    }

    // RePaint-style continuation, as CogVideoXPipeline does it: the given frames are replaced by the given clean latents
    // noised to the σ the latents are at, x_σ = (1 − σ)·x₀ + σ·ε with one fixed ε; at σ = 0 they are the given latents.
    private static Tensor Impose(Tensor latents, Tensor given, Tensor noise, float sigma)
    {
        long g = given.shape[2];
        using var s = full([given.shape[0]], Sc((double)sigma), ScalarType.Float32, given.device);   // σ per video
        var target = FlowMath.AddNoise(given, noise, s);                                              // exactly x₀ at σ = 0
        var rest = latents.narrow(2, g, latents.shape[2] - g);
        return cat([target, rest], 2);
    }

    private (Tensor Positive, Tensor? Negative) PromptEmbeddings(GenerationRequest r, bool cfg, Device device)
    {
        if (r.PromptEmbeds is { } pe)
            return (pe.to_type(ScalarType.Float32).to(device), cfg ? r.NegativePromptEmbeds!.to_type(ScalarType.Float32).to(device) : null);
        var encoder = TextEncoder ?? throw new ArgumentException("this pipeline has no text encoder: pass prompt_embeds", nameof(r));
        using var noGrad = no_grad();
        var pos = Encode(encoder, r.Prompts).to(device);
        Tensor? neg = cfg ? Encode(encoder, Enumerable.Repeat(r.NegativePrompt, r.Prompts.Count).ToList()).to(device) : null;
        return (pos, neg);
    }

    // diffusers trims each prompt's states to its token count and pads back with zeros: the masked positions are zero.
    private static Tensor Encode(ITextEncoder encoder, IReadOnlyList<string> prompts)
    {
        using var encoding = encoder.Encode(prompts);
        var mask = encoding.Mask.to_type(ScalarType.Float32).unsqueeze(-1);                  // [B, L, 1]
        return encoding.Embeddings.to_type(ScalarType.Float32).mul(mask);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!OwnsComponents) return;
        Transformer.Dispose();
        Vae?.Dispose();
        Scheduler.Dispose();
        TextEncoder?.Dispose();
    }
}
