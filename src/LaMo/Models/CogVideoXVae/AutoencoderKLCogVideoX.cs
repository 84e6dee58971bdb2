using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>The CogVideoX causal 3-D VAE: video [B, 3, F, H, W] in [−1, 1] ⇄ latents [B, C, (F−1)/r+1, H/s, W/s]
/// (r = temporal ratio, s = 2^(blocks−1)). Encoding and decoding run in temporal chunks exactly as diffusers v0.33
/// does, carrying the causal-conv state between chunks in a <see cref="ConvCache"/>.</summary>
/// <remarks>
/// <para>Port of diffusers <c>AutoencoderKLCogVideoX</c> (autoencoder_kl_cogvideox.py @ v0.33.0). Keys:
/// <c>encoder.*</c>, <c>decoder.*</c>, and <c>quant_conv.*</c> / <c>post_quant_conv.*</c> when enabled.</para>
/// <para><b>Scaling:</b> <see cref="Encode"/> and <see cref="Decode"/> do not apply <c>scaling_factor</c>, like
/// diffusers; pipelines call <see cref="ScaleLatents"/> after encoding and <see cref="UnscaleLatents"/> before
/// decoding.</para>
/// <para><b>Chunking:</b> encode uses chunks of <see cref="NumSampleFramesBatchSize"/> frames (8; the first chunk
/// takes the F mod 8 extra frames, so 49 frames → 9, 8, 8, …), decode chunks of <see cref="NumLatentFramesBatchSize"/>
/// latent frames (2; first chunk 2 + F mod 2). Because GroupNorm statistics span each chunk's frames, the result
/// depends on the chunk size: it is diffusers' result for the same chunk size, not that of one big chunk.
/// Each chunk runs in its own dispose scope; only the cache (k−1 frames per causal conv) and the chunk outputs
/// survive, so peak memory is bounded by the chunk size, not the video length.</para>
/// <para><b>Tiling and slicing:</b> diffusers' spatial tiling (<see cref="EnableTiling"/>, overlap-blended tiles,
/// off by default) and batch slicing (<see cref="UseSlicing"/>, exact) are both available.</para>
/// <para>Gradients flow through both calls when grad mode is on; wrap inference in <c>torch.no_grad()</c>.</para>
/// </remarks>
public sealed class AutoencoderKLCogVideoX : nn.Module<Tensor, Tensor>, ITrainableVae
{
    private readonly CogVideoXEncoder3D encoder;
    private readonly CogVideoXDecoder3D decoder;
    private readonly Conv3d? quant_conv;
    private readonly Conv3d? post_quant_conv;
    private int _sampleFrames = 8, _latentFrames = 2;

    /// <summary>The architecture.</summary>
    public AutoencoderKLCogVideoXConfig Config { get; }
    /// <summary>The encoder (exposed for probing intermediates).</summary>
    public CogVideoXEncoder3D Encoder => encoder;
    /// <summary>The decoder (exposed for probing intermediates).</summary>
    public CogVideoXDecoder3D Decoder => decoder;
    /// <summary><c>scaling_factor</c> from the config (1.15258426 for 2B, 0.7 for 5B).</summary>
    public double ScalingFactor => Config.ScalingFactor;

    /// <summary>Frames per encoder chunk (diffusers' <c>num_sample_frames_batch_size</c>, default 8). Use a
    /// multiple of the temporal ratio so chunks map onto whole latent frames.</summary>
    public int NumSampleFramesBatchSize
    {
        get => _sampleFrames;
        set { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value); _sampleFrames = value; }
    }

    /// <summary>Latent frames per decoder chunk (diffusers' <c>num_latent_frames_batch_size</c>, default 2).</summary>
    public int NumLatentFramesBatchSize
    {
        get => _latentFrames;
        set { ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value); _latentFrames = value; }
    }

    /// <summary>When true, a batch is encoded/decoded one sample at a time (diffusers' <c>enable_slicing</c>); the
    /// result is identical, peak memory lower. Default false.</summary>
    public bool UseSlicing { get; set; }

    /// <summary>Builds the VAE (random init; GroupNorm weights 1, biases 0). Use <c>torch.META</c> for a shape-only model.</summary>
    /// <exception cref="InvalidDataException">The config is invalid (the message names the field).</exception>
    public AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(AutoencoderKLCogVideoX))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = new CogVideoXEncoder3D(config, device, dtype);
        decoder = new CogVideoXDecoder3D(config, device, dtype);
        int z2 = 2 * config.LatentChannels, z = config.LatentChannels;
        if (config.UseQuantConv) quant_conv = nn.Conv3d(z2, z2, 1, device: device, dtype: dtype);
        if (config.UsePostQuantConv) post_quant_conv = nn.Conv3d(z, z, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Spatial tiling settings, or null (the default) for none. See <see cref="VaeTilingOptions"/>.</summary>
    public VaeTilingOptions? Tiling { get; private set; }

    /// <summary>Turns spatial tiling on (diffusers' <c>enable_tiling</c>); defaults follow diffusers
    /// (<see cref="VaeTilingOptions.For"/>). Inputs no larger than one tile are processed untiled.</summary>
    public void EnableTiling(VaeTilingOptions? options = null)
    {
        options ??= VaeTilingOptions.For(Config);
        options.Validate(Config.SpatialCompression);
        Tiling = options;
    }

    /// <summary>Turns spatial tiling off.</summary>
    public void DisableTiling() => Tiling = null;

    /// <summary>Turns batch slicing on.</summary>
    public void EnableSlicing() => UseSlicing = true;
    /// <summary>Turns batch slicing off.</summary>
    public void DisableSlicing() => UseSlicing = false;

    /// <summary>Number of parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Encodes video [B, in_channels, F, H, W] in [−1, 1] to the latent distribution over
    /// [B, latent, (F−1)/r+1, H/s, W/s] (no scaling factor applied).</summary>
    /// <exception cref="ArgumentException">Wrong rank or channel count.</exception>
    public LatentDistribution Encode(Tensor video)
    {
        CheckInput(video, Config.InChannels, nameof(video));
        return new LatentDistribution(PerSample(video, EncodeTiled));
    }

    /// <summary>Decodes latents [B, latent, F, h, w] (already divided by the scaling factor) to video
    /// [B, out_channels, (F−1)·r+1, h·s, w·s] (odd F; see the chunking remarks for even F).</summary>
    /// <exception cref="ArgumentException">Wrong rank or channel count.</exception>
    public Tensor Decode(Tensor latents)
    {
        CheckInput(latents, Config.LatentChannels, nameof(latents));
        return PerSample(latents, DecodeTiled);
    }

    nn.Module ITrainableVae.Module => this;

    int ITrainableVae.FrameStep => Config.RoundTripFrameStep;

    // Decode does not clamp.
    Tensor ITrainableVae.DecodeForLoss(Tensor latents) => Decode(latents);

    /// <summary>Latents × scaling_factor (what pipelines do after <see cref="Encode"/>).</summary>
    public Tensor ScaleLatents(Tensor latents) => latents * Sc(ScalingFactor);
    /// <summary>Latents ÷ scaling_factor (what pipelines do before <see cref="Decode"/>).</summary>
    public Tensor UnscaleLatents(Tensor latents) => latents / Sc(ScalingFactor);

    /// <summary>Reconstruction of <paramref name="video"/> through the posterior mode (diffusers' <c>forward</c>
    /// with <c>sample_posterior=False</c>).</summary>
    public override Tensor forward(Tensor video)
    {
        using var dist = Encode(video);
        return Decode(dist.Mean);
    }

    private static void CheckInput(Tensor x, int channels, string name)
    {
        if (x.dim() != 5 || x.shape[1] != channels || x.shape[2] < 1)
            throw new ArgumentException($"{name} must be [B, {channels}, F≥1, H, W], got [{string.Join(", ", x.shape)}]", name);
    }

    private Tensor PerSample(Tensor x, Func<Tensor, Tensor> run) => VaeSlicing.PerSample(x, UseSlicing, run);

    private Tensor EncodeTiled(Tensor video)
    {
        if (Tiling is not { } t || (video.shape[3] <= t.TileSampleMinHeight && video.shape[4] <= t.TileSampleMinWidth))
            return EncodeChunks(video);
        int s = Config.SpatialCompression;
        return SpatialTiler.Run(video, (t.TileSampleMinHeight, t.TileSampleMinWidth), (t.TileSampleMinHeight / s, t.TileSampleMinWidth / s),
            (t.OverlapFactorHeight, t.OverlapFactorWidth), EncodeChunks);
    }

    private Tensor DecodeTiled(Tensor latents)
    {
        int s = Config.SpatialCompression;
        if (Tiling is not { } t || (latents.shape[3] <= t.TileSampleMinHeight / s && latents.shape[4] <= t.TileSampleMinWidth / s))
            return DecodeChunks(latents);
        return SpatialTiler.Run(latents, (t.TileSampleMinHeight / s, t.TileSampleMinWidth / s), (t.TileSampleMinHeight, t.TileSampleMinWidth),
            (t.OverlapFactorHeight, t.OverlapFactorWidth), DecodeChunks);
    }

    private Tensor EncodeChunks(Tensor video) => RunChunks(video, _sampleFrames, (chunk, cache) =>
    {
        var moments = encoder.forward(chunk, cache);
        if (quant_conv is null) return moments;
        using (moments) return SafeConv.Forward(quant_conv, moments);
    });

    private Tensor DecodeChunks(Tensor latents) => RunChunks(latents, _latentFrames, (chunk, cache) =>
    {
        if (post_quant_conv is null) return decoder.forward(chunk, cache);
        using var z = SafeConv.Forward(post_quant_conv, chunk);
        return decoder.forward(z, cache);
    });

    /// <summary>diffusers' frame batching: n = max(F / size, 1) chunks, the first one F mod size frames longer.</summary>
    private Tensor RunChunks(Tensor x, int size, Func<Tensor, ConvCache, Tensor> step)
    {
        long frames = x.shape[2], count = Math.Max(frames / size, 1), remaining = frames % size;
        var outputs = new List<Tensor>();
        using var cache = new ConvCache();
        try
        {
            for (long i = 0; i < count; i++)
            {
                long start = size * i + (i == 0 ? 0 : remaining);
                long end = Math.Min(size * (i + 1) + remaining, frames);
                using var scope = NewDisposeScope();
                var chunk = x.narrow(2, start, end - start);                 // [B, C, end−start, H, W]
                outputs.Add(step(chunk, cache).MoveToOuterDisposeScope());
            }
            return outputs.Count == 1 ? outputs[0].alias() : cat(outputs, 2);
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }

    /// <summary>Loads a diffusers VAE folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>, or a
    /// sharded index) strictly: unknown config keys, missing or unexpected weights are errors.</summary>
    /// <param name="folder">The <c>vae</c> folder.</param>
    /// <param name="dtype">Parameter dtype (weights are converted; the reference VAE is fp32).</param>
    /// <param name="device">Target device (CPU when null).</param>
    /// <exception cref="FileNotFoundException">No config.json or weights.</exception>
    /// <exception cref="InvalidDataException">Bad config or weights (names the field or key).</exception>
    public static AutoencoderKLCogVideoX FromPretrained(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        string configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: VAE config not found", configPath);
        var config = VaeLimits.Load(configPath);   // absurd sizes refused before allocation
        using var checkpoint = Checkpoint.Open(folder);
        return DiffusersModelFolder.LoadInto(new AutoencoderKLCogVideoX(config, device, dtype), checkpoint);
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
