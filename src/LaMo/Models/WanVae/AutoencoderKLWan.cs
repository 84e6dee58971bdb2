using LaMo.Core;
using LaMo.Models.CogVideoXVae;
using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.WanVae;

/// <summary>The Wan 2.1 / 2.2 causal 3-D VAE: video [B, C, 1+4k, H, W] in [−1, 1] ⇄ latents
/// [B, z_dim, 1+k, H/s, W/s] (s = scale_factor_spatial: 8 for Wan 2.1, 16 for Wan 2.2). Encoding runs frame 0 alone,
/// then chunks of 4 frames; decoding runs one latent frame per chunk; every causal layer carries its state between
/// chunks in a <see cref="WanFeatureCache"/>, exactly as diffusers v0.40.0 does.</summary>
/// <remarks>
/// <para>Port of diffusers <c>AutoencoderKLWan</c> (autoencoder_kl_wan.py @ v0.40.0). Keys: <c>encoder.*</c>,
/// <c>quant_conv.*</c>, <c>post_quant_conv.*</c>, <c>decoder.*</c>.</para>
/// <para><b>Wan 2.2</b> (<c>patch_size</c> 2): the video is folded 2×2 into channels before encoding and unfolded
/// after decoding (<see cref="WanPatchify"/>: width offset before height offset).</para>
/// <para><b>Normalisation:</b> <see cref="Encode"/> and <see cref="Decode"/> do not apply latents_mean / latents_std,
/// like diffusers; pipelines call <see cref="NormalizeLatents"/> after encoding and <see cref="DenormalizeLatents"/>
/// before decoding.</para>
/// <para><b>Clamping:</b> <see cref="Decode"/> clamps to [−1, 1] as diffusers does (pass <c>clamp: false</c> for the raw
/// decoder output, e.g. for a reconstruction loss whose gradient must not vanish outside the range).</para>
/// <para>Not ported: diffusers' spatial tiling. Batch slicing (<see cref="UseSlicing"/>) is exact. Gradients flow
/// through both calls when grad mode is on; wrap inference in <c>torch.no_grad()</c>.</para>
/// </remarks>
public sealed class AutoencoderKLWan : nn.Module<Tensor, Tensor>, ITrainableVae
{
    private readonly WanEncoder3d encoder;
    private readonly WanCausalConv3d quant_conv;
    private readonly WanCausalConv3d post_quant_conv;
    private readonly WanDecoder3d decoder;

    /// <summary>Frames per encoder chunk after the first frame (diffusers hard-codes 4).</summary>
    public const int EncodeChunkFrames = 4;

    /// <summary>The architecture.</summary>
    public AutoencoderKLWanConfig Config { get; }
    /// <summary>The encoder (exposed for probing intermediates).</summary>
    public WanEncoder3d Encoder => encoder;
    /// <summary>The decoder (exposed for probing intermediates).</summary>
    public WanDecoder3d Decoder => decoder;

    /// <summary>When true, a batch is encoded/decoded one sample at a time (diffusers' <c>enable_slicing</c>); the
    /// result is identical, peak memory lower. Default false.</summary>
    public bool UseSlicing { get; set; }

    /// <summary>Optional observer of intermediates, named as the reference cases name them: <c>patchify</c>,
    /// <c>encoder.&lt;module&gt;.chunkK</c>, <c>encoder.chunkK</c> (encoder output before quant_conv),
    /// <c>decoder.&lt;module&gt;.chunkK</c> and <c>decoder.chunkK</c> (raw decoder output, before unpatchify and clamp).
    /// The tensor is only valid during the call.</summary>
    public Action<string, Tensor>? Probe { get; set; }

    /// <summary>Builds the VAE (random init; RMS-norm gains 1). Use <c>torch.META</c> for a shape-only model.</summary>
    /// <exception cref="InvalidDataException">The config is invalid (the message names the field).</exception>
    public AutoencoderKLWan(AutoencoderKLWanConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(AutoencoderKLWan))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int z = config.ZDim;
        encoder = new WanEncoder3d(config, device, dtype);
        quant_conv = new WanCausalConv3d(z * 2, z * 2, 1, padding: 0, device, dtype);
        post_quant_conv = new WanCausalConv3d(z, z, 1, padding: 0, device, dtype);
        decoder = new WanDecoder3d(config, device, dtype);
        RegisterComponents();
    }

    /// <summary>Number of parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Encodes video [B, C, 1+4k, H, W] in [−1, 1] (C = in_channels / patch², H and W multiples of
    /// scale_factor_spatial) to the latent distribution over [B, z_dim, 1+k, H/s, W/s] (not normalised).</summary>
    /// <exception cref="ArgumentException">Wrong rank, channels, frame count or size (the message says which).</exception>
    public LatentDistribution Encode(Tensor video)
    {
        CheckVideo(video);
        return new LatentDistribution(PerSample(video, EncodeChunks));
    }

    /// <summary>Decodes latents [B, z_dim, F, h, w] (already de-normalised) to video [B, C, 1 + r·(F−1), h·s, w·s]
    /// (r = temporal compression, 4 for the published VAEs), clamped to [−1, 1] unless <paramref name="clamp"/> is false.</summary>
    /// <exception cref="ArgumentException">Wrong rank or channel count.</exception>
    public Tensor Decode(Tensor latents, bool clamp = true)
    {
        if (latents.dim() != 5 || latents.shape[1] != Config.ZDim || latents.shape[2] < 1)
            throw new ArgumentException($"latents must be [B, {Config.ZDim}, F≥1, h, w], got [{string.Join(", ", latents.shape)}]", nameof(latents));
        var video = PerSample(latents, DecodeChunks);
        if (!clamp) return video;
        using (video) return video.clamp(Sc(-1.0), Sc(1.0));
    }

    nn.Module ITrainableVae.Module => this;

    int ITrainableVae.FrameStep => Config.RoundTripFrameStep;

    Tensor ITrainableVae.DecodeForLoss(Tensor latents) => Decode(latents, clamp: false);

    /// <summary>(z − mean) · (1/std) per channel, as the Wan pipelines normalise encoded latents (the reciprocal is
    /// taken in the latents' dtype first, as diffusers does).</summary>
    public Tensor NormalizeLatents(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var (mean, invStd) = Stats(latents);
        return latents.add(mean, Sc(-1)).mul(invStd).MoveToOuterDisposeScope();
    }

    /// <summary>z / (1/std) + mean per channel, what WanPipeline does before decoding.</summary>
    public Tensor DenormalizeLatents(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var (mean, invStd) = Stats(latents);
        return latents.div(invStd).add(mean, Sc(1)).MoveToOuterDisposeScope();
    }

    private (Tensor Mean, Tensor InvStd) Stats(Tensor latents)
    {
        if (latents.dim() != 5 || latents.shape[1] != Config.ZDim)
            throw new ArgumentException($"latents must be [B, {Config.ZDim}, F, h, w], got [{string.Join(", ", latents.shape)}]", nameof(latents));
        long[] shape = [1, Config.ZDim, 1, 1, 1];
        var mean = tensor(Config.LatentsMean.ToArray(), dtype: latents.dtype, device: latents.device).view(shape);
        var std = tensor(Config.LatentsStd.ToArray(), dtype: latents.dtype, device: latents.device).view(shape);
        return (mean, std.reciprocal());
    }

    /// <summary>Reconstruction of <paramref name="video"/> through the posterior mode (diffusers' <c>forward</c>
    /// with <c>sample_posterior=False</c>), clamped.</summary>
    public override Tensor forward(Tensor video)
    {
        using var dist = Encode(video);
        return Decode(dist.Mean);
    }

    private void CheckVideo(Tensor video)
    {
        int c = Config.VideoInChannels, s = Config.SpatialCompression;
        if (video.dim() != 5 || video.shape[1] != c)
            throw new ArgumentException($"video must be [B, {c}, F, H, W], got [{string.Join(", ", video.shape)}]", nameof(video));
        if (video.shape[2] < 1 || (video.shape[2] - 1) % EncodeChunkFrames != 0)
            throw new ArgumentException($"video has {video.shape[2]} frames; the Wan VAE encodes 1 + {EncodeChunkFrames}k frames " +
                                        "(diffusers would silently drop the extra ones)", nameof(video));
        if (video.shape[3] % s != 0 || video.shape[4] % s != 0)
            throw new ArgumentException($"video height ({video.shape[3]}) and width ({video.shape[4]}) must be divisible by {s} " +
                                        "(scale_factor_spatial)", nameof(video));
    }

    private Tensor PerSample(Tensor x, Func<Tensor, Tensor> run) => VaeSlicing.PerSample(x, UseSlicing, run);

    /// <summary>diffusers' <c>_encode</c>: patchify, frame 0 alone, then chunks of 4 frames, then quant_conv.</summary>
    private Tensor EncodeChunks(Tensor video)
    {
        using var scope = NewDisposeScope();
        var x = WanPatchify.Patchify(video, Config.Patch);
        if (Config.PatchSize is not null) Probe?.Invoke("patchify", x);
        long chunks = 1 + (x.shape[2] - 1) / EncodeChunkFrames;
        var outputs = RunChunks(chunks, (k, cache) =>
        {
            var chunk = k == 0 ? x.narrow(2, 0, 1) : x.narrow(2, 1 + EncodeChunkFrames * (k - 1), EncodeChunkFrames);
            encoder.Probe = Probe is null ? null : (name, t) => Probe($"encoder.{name}.chunk{k}", t);
            var h = encoder.forward(chunk, cache);
            Probe?.Invoke($"encoder.chunk{k}", h);
            return h;
        });
        encoder.Probe = null;
        return quant_conv.forward(outputs, null).MoveToOuterDisposeScope();
    }

    /// <summary>diffusers' <c>_decode</c>: post_quant_conv, one latent frame per chunk (the first flagged), unpatchify.</summary>
    private Tensor DecodeChunks(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var x = post_quant_conv.forward(latents, null);
        var outputs = RunChunks(x.shape[2], (k, cache) =>
        {
            decoder.Probe = Probe is null ? null : (name, t) => Probe($"decoder.{name}.chunk{k}", t);
            var h = decoder.forward(x.narrow(2, k, 1), cache, k == 0);
            Probe?.Invoke($"decoder.chunk{k}", h);
            return h;
        });
        decoder.Probe = null;
        return WanPatchify.Unpatchify(outputs, Config.Patch).MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="count"/> chunks with one fresh cache, each in its own dispose scope (only the cache
    /// and the chunk outputs survive), and concatenates the outputs in time.</summary>
    private static Tensor RunChunks(long count, Func<long, WanFeatureCache, Tensor> step)
    {
        var outputs = new List<Tensor>();
        using var cache = new WanFeatureCache();
        for (long k = 0; k < count; k++)
        {
            using var scope = NewDisposeScope();
            outputs.Add(step(k, cache).MoveToOuterDisposeScope());
        }
        return outputs.Count == 1 ? outputs[0] : cat(outputs, 2);
    }

    /// <summary>Loads a diffusers VAE folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>, or a
    /// sharded index) strictly: unknown config keys, missing or unexpected weights and absurd sizes are errors.</summary>
    /// <param name="folder">The <c>vae</c> folder.</param>
    /// <param name="dtype">Parameter dtype (weights are converted; the published VAEs are fp32).</param>
    /// <param name="device">Target device (CPU when null).</param>
    /// <exception cref="FileNotFoundException">No config.json or weights.</exception>
    /// <exception cref="InvalidDataException">Bad config or weights (names the field or key).</exception>
    public static AutoencoderKLWan FromPretrained(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        string configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: VAE config not found", configPath);
        var config = WanVaeLimits.Load(configPath);   // absurd sizes refused before allocation
        using var checkpoint = Checkpoint.Open(folder);
        return DiffusersModelFolder.LoadInto(new AutoencoderKLWan(config, device, dtype), checkpoint);
    }

    /// <summary>Writes <c>config.json</c> and <c>diffusion_pytorch_model.safetensors</c> to <paramref name="folder"/>
    /// (created if needed), each atomically, in the diffusers layout.</summary>
    public void SavePretrained(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), Config.ToJson());
        SafetensorsWriter.Save(Path.Combine(folder, "diffusion_pytorch_model.safetensors"), StateDictLoader.StateDict(this),
            new Dictionary<string, string> { ["format"] = "pt" });
    }
}
