using System.Diagnostics;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Text-to-video sampling with a CogVideoX-compatible transformer, VAE, scheduler and text encoder, plus an
/// ordered list of guidance terms applied to the model output after classifier-free guidance (the extension point
/// where Motion Prior Guidance and FlowMo plug in).</summary>
/// <remarks>Stages follow diffusers' <c>CogVideoXPipeline.__call__</c>: 1 validate, 2 prompt embeddings, 3 timesteps,
/// 4 initial latents from a seeded generator, 5 RoPE tables, 6 denoising loop, 7 decode. The transformer runs under
/// <c>no_grad</c>; guidance terms open gradients themselves. Owns its components when built by
/// <see cref="PipelineFolder.Load"/>; otherwise the caller does (see <see cref="OwnsComponents"/>).</remarks>
public sealed class CogVideoXPipeline : IDisposable
{
    /// <summary>The denoiser.</summary>
    public CogVideoXTransformer3DModel Transformer { get; }

    /// <summary>The autoencoder (null: latents only).</summary>
    public AutoencoderKLCogVideoX? Vae { get; }

    /// <summary>The scheduler.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>The text encoder (null: prompt embeddings must be given).</summary>
    public ITextEncoder? TextEncoder { get; }

    /// <summary>Guidance terms applied in order after CFG at every step.</summary>
    public IReadOnlyList<IGuidance> Guidance { get; init; } = [];

    /// <summary>Dispose the components with the pipeline.</summary>
    public bool OwnsComponents { get; init; }

    /// <summary>Where the pipeline computes: the transformer's device. Latents, timesteps and RoPE tables are made there;
    /// prompt embeddings and given latents are moved there.</summary>
    public Device Device => Transformer.parameters().First().device;

    /// <summary>VAE spatial down-sampling factor (8 for CogVideoX).</summary>
    public int SpatialFactor { get; }

    /// <summary>VAE temporal compression (4 for CogVideoX).</summary>
    public int TemporalFactor { get; }

    /// <summary>Composes a pipeline; checks that the components fit together.</summary>
    /// <exception cref="ArgumentException">Latent channels or text widths disagree.</exception>
    public CogVideoXPipeline(CogVideoXTransformer3DModel transformer, AutoencoderKLCogVideoX? vae, IScheduler scheduler, ITextEncoder? textEncoder)
    {
        Transformer = transformer; Vae = vae; Scheduler = scheduler; TextEncoder = textEncoder;
        var tc = transformer.Config;
        SpatialFactor = vae is null ? 8 : 1 << (vae.Config.BlockOutChannels.Count - 1);
        TemporalFactor = vae is null ? tc.TemporalCompressionRatio : (int)vae.Config.TemporalCompressionRatio;
        if (vae is not null && vae.Config.LatentChannels != tc.InChannels)
            throw new ArgumentException($"vae latent_channels ({vae.Config.LatentChannels}) != transformer in_channels ({tc.InChannels})", nameof(vae));
        if (textEncoder is not null && textEncoder.EmbeddingDim != tc.TextEmbedDim)
            throw new ArgumentException($"text encoder width ({textEncoder.EmbeddingDim}) != transformer text_embed_dim ({tc.TextEmbedDim})", nameof(textEncoder));
        if (textEncoder is not null && textEncoder.MaxSequenceLength != tc.MaxTextSeqLength)
            throw new ArgumentException($"text encoder length ({textEncoder.MaxSequenceLength}) != transformer max_text_seq_length ({tc.MaxTextSeqLength})", nameof(textEncoder));
    }

    /// <summary>Latent frames for <paramref name="rgbFrames"/> RGB frames.</summary>
    public int LatentFrames(int rgbFrames) => (rgbFrames - 1) / TemporalFactor + 1;

    /// <summary>Generates one video per prompt.</summary>
    /// <exception cref="ArgumentException">The request does not fit the model (the message names the field).</exception>
    public GenerationResult Generate(GenerationRequest request, IProgress<DenoiseStep>? progress = null, CancellationToken ct = default)
    {
        // 1. Validate
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(SpatialFactor, TemporalFactor, Transformer.Config.PatchSize);
        if (request.InitialLatents is not null)
            throw new ArgumentException("initial_latents: CogVideoXPipeline draws its noise from the seed", nameof(request));
        Transformer.eval();
        using var outer = NewDisposeScope();

        // 2. Prompt embeddings
        bool cfg = request.GuidanceScale > 1;
        var device = Device;
        var (positive, negative) = PromptEmbeddings(request, cfg, device);
        long batch = positive.shape[0];

        // 3. Timesteps
        Scheduler.SetTimesteps(request.NumInferenceSteps);
        var timesteps = Scheduler.Timesteps;

        // 4. Initial latents [B, F', C, h, w] from the seeded generator. Drawn on the CPU and moved, as diffusers'
        // randn_tensor does with a CPU generator: a seed gives the same noise on every device.
        using var generator = new Generator((ulong)request.Seed);
        long[] shape = [batch, LatentFrames(request.NumFrames), Transformer.Config.InChannels,
            request.Height / SpatialFactor, request.Width / SpatialFactor];
        var latents = Core.HostRandom.Randn(shape, generator, device) * Sc(Scheduler.InitNoiseSigma);
        var noiseSource = new GeneratorNoiseSource(generator);
        Tensor? given = null, givenNoise = null;
        if (request.ConditioningLatents is { } cond)
        {
            given = cond.to_type(ScalarType.Float32).to(device);
            givenNoise = Core.HostRandom.Randn(given.shape, generator, device);
            latents = Impose(latents, given, givenNoise, timesteps[0]);
        }

        // 5. RoPE tables (5B-style models only)
        RotaryTables? rope = Transformer.Config.UseRotaryPositionalEmbeddings
            ? CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(Transformer.Config, request.Height, request.Width, (int)shape[1], SpatialFactor, device)
            : null;

        // 6. Denoising loop
        var stepSeconds = new List<double>();
        for (int i = 0; i < timesteps.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            int t = timesteps[i];
            double scale = request.UseDynamicCfg ? ClassifierFreeGuidance.DynamicScale(request.GuidanceScale, t, timesteps.Count) : request.GuidanceScale;
            using var stepScope = NewDisposeScope();
            Tensor v;
            using (no_grad()) v = PredictVelocity(latents, t, positive, negative, cfg, scale, rope);
            var current = latents;
            Func<Tensor, Tensor> denoiser = x => PredictVelocity(x, t, positive, negative, cfg, scale, rope);
            foreach (var g in Guidance)
                v = g.Apply(new GuidanceContext(i, timesteps.Count, t, Scheduler.AlphaCumprod(t), current, v, positive, denoiser));
            Tensor next;
            using (no_grad())
            {
                next = Scheduler.Step(v.detach(), t, latents, noiseSource).PrevSample;
                if (given is not null) next = Impose(next, given, givenNoise!, Scheduler.PreviousTimestep(t));
            }
            next = next.MoveToOuterDisposeScope();
            latents.Dispose();
            latents = next;
            stepSeconds.Add(clock.Elapsed.TotalSeconds);
            progress?.Report(new DenoiseStep(i, timesteps.Count, t));
        }

        // 7. Decode
        Tensor? video = null;
        if (request.Decode && Vae is not null)
            using (no_grad()) video = DecodeLatents(latents);
        var result = new GenerationResult(latents.MoveToOuterDisposeScope(), video?.MoveToOuterDisposeScope(), stepSeconds);
        return result;
    }

    /// <summary>Decodes scaled latents [B, F', C, h, w] to RGB [B, F, 3, H, W] in [-1, 1].</summary>
    /// <exception cref="InvalidOperationException">The pipeline has no VAE.</exception>
    public Tensor DecodeLatents(Tensor latents)
    {
        var vae = Vae ?? throw new InvalidOperationException("this pipeline has no VAE");
        using var scope = NewDisposeScope();
        var z = vae.UnscaleLatents(latents).permute(0, 2, 1, 3, 4);   // [B, F', C, h, w] → [B, C, F', h, w]
        var rgb = vae.Decode(z).clamp(Sc(-1), Sc(1)).permute(0, 2, 1, 3, 4);   // [B, 3, F, H, W] → [B, F, 3, H, W]
        return rgb.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The transformer's (CFG-combined) output at x_t = <paramref name="latents"/>; differentiable in the latents
    /// when called with gradients enabled.</summary>
    public Tensor PredictVelocity(Tensor latents, int timestep, Tensor positive, Tensor? negative, bool cfg, double scale, RotaryTables? rope)
    {
        long b = latents.shape[0];
        var input = cfg ? cat([latents, latents], 0) : latents;                           // [2B, F', C, h, w]
        var text = cfg ? cat([negative!, positive], 0) : positive;                        // [uncond; text]
        var t = full([cfg ? 2 * b : b], Sc(timestep), ScalarType.Int64, latents.device);
        var output = Transformer.forward(input.to_type(Transformer.DType()), text.to_type(Transformer.DType()), t, rope).to_type(ScalarType.Float32);
        return cfg ? ClassifierFreeGuidance.Combine(output, scale) : output;
    }

    private (Tensor Positive, Tensor? Negative) PromptEmbeddings(GenerationRequest r, bool cfg, Device device)
    {
        if (r.PromptEmbeds is { } pe)
            return (pe.to_type(ScalarType.Float32).to(device), cfg ? r.NegativePromptEmbeds!.to_type(ScalarType.Float32).to(device) : null);
        var encoder = TextEncoder ?? throw new ArgumentException("this pipeline has no text encoder: pass prompt_embeds", nameof(r));
        using var noGrad = no_grad();
        var pos = encoder.Encode(r.Prompts).Embeddings.to_type(ScalarType.Float32).to(device);
        Tensor? neg = cfg ? encoder.Encode(Enumerable.Repeat(r.NegativePrompt, r.Prompts.Count).ToList()).Embeddings.to_type(ScalarType.Float32).to(device) : null;
        return (pos, neg);
    }

    // Continuation: frames [0, F_given) are the ground truth noised to the level of timestep t (clean once t < 0).
    private Tensor Impose(Tensor latents, Tensor given, Tensor noise, int timestep)
    {
        long g = given.shape[1];
        Tensor target = timestep < 0 ? given
            : Scheduler.AddNoise(given, noise, full([given.shape[0]], Sc(timestep), ScalarType.Int64, given.device));
        var rest = latents.narrow(1, g, latents.shape[1] - g);
        return cat([target, rest], 1);
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
