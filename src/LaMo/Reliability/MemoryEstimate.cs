using System.Globalization;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Wan;
using LaMo.Models.WanVae;

namespace LaMo.Reliability;

/// <summary>An up-front estimate of the memory a training or sampling run needs, compared with the memory available, so
/// that a run that cannot fit is refused with the numbers and the ways out instead of being killed mid-run.</summary>
/// <remarks>Terms (bytes): weights (parameters × element size), gradients (trainable parameters × element size),
/// optimiser state (AdamW: two fp32 moments per trainable parameter), activations (training: 34·N·D values per layer and
/// sample, Korthikanti et al. 2022 without their 5·a·N²/D attention-matrix term, because LibTorch's CPU
/// <c>scaled_dot_product_attention</c> is a flash kernel that never materialises the N² scores — measured: [2, 4, 8192, 64]
/// grows the peak by 95 MB with backward, where the scores alone would be 2.1 GB; sampling: one layer's working set for the
/// CFG batch of 2), and the VAE decode working set (one temporal chunk of at most 3 latent frames, or one spatial tile
/// with tiling, plus the decoded video). The estimate is deliberately simple; it exists to catch runs that are off by
/// multiples, not to predict the peak to the megabyte.</remarks>
/// <param name="What">What is estimated (e.g. "lamo train (full, fp32)").</param>
/// <param name="Weights">Model weights.</param>
/// <param name="Gradients">Gradients of the trainable parameters.</param>
/// <param name="OptimizerState">AdamW moments.</param>
/// <param name="Activations">Activations kept for backward (training) or the peak working set (sampling).</param>
/// <param name="Tokens">Sequence length per sample (text + video patches).</param>
public sealed record MemoryEstimate(string What, long Weights, long Gradients, long OptimizerState, long Activations, long Tokens)
{
    /// <summary>Environment variable overriding the available memory (bytes, or with a K/M/G suffix), for tests and for
    /// machines whose /proc/meminfo does not tell the truth (containers with cgroup limits).</summary>
    public const string AvailableVariable = "LAMO_MEMORY_AVAILABLE";

    /// <summary>Fraction of available memory a run may plan to use (the rest is headroom for the runtime and fragmentation).</summary>
    public const double UsableFraction = 0.9;

    /// <summary>Sum of all terms.</summary>
    public long Total => Saturate((double)Weights + Gradients + OptimizerState + Activations);

    /// <summary>Training estimate for the transformer of <paramref name="config"/>.</summary>
    /// <param name="tokensPerSample">Text tokens + video patches per sample.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="bytesPerElement">4 for fp32, 2 for bf16.</param>
    /// <param name="trainableParameters">Trainable parameters (all for full training; the adapters for LoRA).</param>
    /// <param name="extraParameters">Other trainable parameters (e.g. a jointly trained predictor).</param>
    /// <param name="mode">full or lora (for the description).</param>
    /// <param name="checkpointing">Gradient checkpointing of the transformer blocks.</param>
    public static MemoryEstimate ForTraining(CogVideoXTransformerConfig config, long tokensPerSample, int batchSize,
        int bytesPerElement = 4, long? trainableParameters = null, long extraParameters = 0, string mode = "full", bool checkpointing = false) =>
        ForTraining(TransformerLimits.Parameters(config), config.InnerDim, config.NumLayers, tokensPerSample, batchSize, bytesPerElement,
            trainableParameters, extraParameters, mode, checkpointing);

    /// <summary>Training estimate for a Wan transformer: the same terms as for CogVideoX, with its parameter count, width
    /// and depth (the 34·N·D activation rule counts its self-attention and FFN; the cross-attention to the prompt is
    /// covered by counting the prompt tokens in <paramref name="tokensPerSample"/>).</summary>
    public static MemoryEstimate ForTraining(WanTransformerConfig config, long tokensPerSample, int batchSize,
        int bytesPerElement = 4, long? trainableParameters = null, long extraParameters = 0, string mode = "full", bool checkpointing = false) =>
        ForTraining(WanTransformerLimits.Parameters(config), config.InnerDim, config.NumLayers, tokensPerSample, batchSize, bytesPerElement,
            trainableParameters, extraParameters, $"Wan, {mode}", checkpointing);

    private static MemoryEstimate ForTraining(long p, int innerDim, int numLayers, long tokensPerSample, int batchSize,
        int bytesPerElement, long? trainableParameters, long extraParameters, string mode, bool checkpointing)
    {
        long trainable = (trainableParameters ?? p) + extraParameters;
        double n = tokensPerSample, d = innerDim;
        double perLayer = n * d * 34 * bytesPerElement / 2.0 * batchSize;
        // Checkpointing keeps each block's three inputs (video, text, temb ≈ N·D) and one block's activations at a time.
        double activations = checkpointing ? perLayer + numLayers * n * d * bytesPerElement * batchSize : perLayer * numLayers;
        return new MemoryEstimate($"lamo train ({mode}, {(bytesPerElement == 2 ? "bf16" : "fp32")}, batch {batchSize}, {tokensPerSample} tokens)",
            (p + extraParameters) * bytesPerElement, trainable * bytesPerElement, trainable * 8L,
            Saturate(activations), tokensPerSample);
    }

    /// <summary>Sampling estimate for a pipeline: transformer and VAE weights, one layer's working set for the CFG batch,
    /// and the VAE decode of one video.</summary>
    /// <param name="bytesPerElement">The transformer's weight size (the VAE runs in fp32).</param>
    /// <param name="vaeTiling">The VAE decodes in spatial tiles (diffusers' defaults: half its sample size).</param>
    /// <param name="textEncoderParameters">Parameters of the text encoder, held in the transformer's dtype (T5-XXL: 4.76 B).</param>
    public static MemoryEstimate ForSampling(CogVideoXTransformerConfig transformer, AutoencoderKLCogVideoXConfig vae,
        int frames, int height, int width, long textTokens, int bytesPerElement = 4, bool vaeTiling = false, long textEncoderParameters = 0)
    {
        int spatial = 1 << (vae.BlockOutChannels.Count - 1);
        long latentFrames = (frames - 1) / (long)Math.Max(1, vae.TemporalCompressionRatio) + 1;
        long patches = latentFrames * Math.Max(1, height / spatial / transformer.PatchSize) * Math.Max(1, width / spatial / transformer.PatchSize);
        long tokens = patches + textTokens;
        double d = transformer.InnerDim, n = tokens;
        double layer = 2 * n * d * 16 * bytesPerElement;                                           // CFG batch of 2; flash SDPA: no N² scores
        int chunkFrames = (int)Math.Min(frames, 3 * Math.Max(1, vae.TemporalCompressionRatio));   // ≤ 3 latent frames per decode chunk
        double area = (double)height * width;
        if (vaeTiling) area = Math.Min(area, vae.SampleHeight / 2 * (1 + 1.0 / 6) * (vae.SampleWidth / 2) * (1 + 1.0 / 5));   // one tile with overlap
        double decode = chunkFrames * area * vae.BlockOutChannels[0] * 4 * 6 + 2.0 * frames * height * width * 3 * 4;  // fp32; + the video
        long weights = (TransformerLimits.Parameters(transformer) + textEncoderParameters) * bytesPerElement + VaeLimits.Parameters(vae) * 4;
        return new MemoryEstimate($"lamo sample ({frames} frames, {height}x{width}, {tokens} tokens)", weights, 0, 0,
            Saturate(Math.Max(layer, decode)), tokens);
    }

    /// <summary>Sampling estimate for a Wan pipeline: transformer, text encoder and VAE weights, one layer's working set
    /// for the CFG batch of 2 (video patches and prompt tokens), and the VAE decode (WanPipeline decodes one latent frame
    /// at a time with the causal feature cache: about one chunk of r RGB frames at full resolution, plus the video).</summary>
    public static MemoryEstimate ForSampling(WanTransformerConfig transformer, AutoencoderKLWanConfig vae,
        int frames, int height, int width, long textTokens, int bytesPerElement = 4, long textEncoderParameters = 0)
    {
        int spatial = vae.SpatialCompression, temporal = Math.Max(1, vae.TemporalCompression);
        long latentFrames = (frames - 1) / (long)temporal + 1;
        long patches = (latentFrames + transformer.PatchSize.T - 1) / transformer.PatchSize.T
            * Math.Max(1, height / spatial / transformer.PatchSize.H) * Math.Max(1, width / spatial / transformer.PatchSize.W);
        long tokens = patches + textTokens;
        double layer = 2.0 * tokens * transformer.InnerDim * 16 * bytesPerElement;
        double area = (double)height * width;
        double decode = temporal * area * vae.DecoderDim * 2 * 4 * 6 + 2.0 * frames * height * width * 3 * 4;
        long weights = (WanTransformerLimits.Parameters(transformer) + textEncoderParameters) * bytesPerElement + WanVaeLimits.Parameters(vae) * 4;
        return new MemoryEstimate($"lamo sample (Wan, {frames} frames, {height}x{width}, {tokens} tokens)", weights, 0, 0,
            Saturate(Math.Max(layer, decode)), tokens);
    }

    /// <summary>Available memory: <see cref="AvailableVariable"/> when set, else <c>MemAvailable</c> of /proc/meminfo, else null (unknown).</summary>
    public static long? Available()
    {
        if (Environment.GetEnvironmentVariable(AvailableVariable) is { Length: > 0 } v) return ParseSize(v, AvailableVariable);
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Parses "24G", "512M", "1048576" (bytes).</summary>
    /// <exception cref="ArgumentException">Not a size.</exception>
    public static long ParseSize(string text, string name)
    {
        string s = text.Trim().ToUpperInvariant().TrimEnd('B');
        double scale = 1;
        if (s.EndsWith('K')) scale = 1L << 10;
        else if (s.EndsWith('M')) scale = 1L << 20;
        else if (s.EndsWith('G')) scale = 1L << 30;
        else if (s.EndsWith('T')) scale = 1L << 40;
        if (scale > 1) s = s[..^1];
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !(x > 0))
            throw new ArgumentException($"{name} ('{text}') must be a positive size such as 24G or 512M", name);
        return Saturate(x * scale);
    }

    /// <summary>True when the estimate fits <paramref name="available"/> (default: the memory available now; unknown counts as fitting).</summary>
    public bool Fits(long? available = null) => (available ?? Available()) is not { } a || Total <= a * UsableFraction;

    /// <summary>Throws when <see cref="Total"/> exceeds <see cref="UsableFraction"/> of <paramref name="available"/>
    /// (<see cref="Available"/> when null; no check when that is unknown).</summary>
    /// <exception cref="InsufficientMemoryException">The message gives the estimate by term, the available memory, and the options.</exception>
    public MemoryEstimate EnsureFits(long? available = null)
    {
        available ??= Available();
        if (available is not { } avail || Total <= avail * UsableFraction) return this;
        throw new InsufficientMemoryException(
            $"{What} needs about {Gb(Total)} (weights {Gb(Weights)}, gradients {Gb(Gradients)}, optimizer {Gb(OptimizerState)}, " +
            $"activations {Gb(Activations)}) but only {Gb(avail)} is available; refusing to start. Options: LoRA with bf16 base weights " +
            "(mode=lora, weight_dtype=bf16: halves weights and activations), gradient accumulation (micro_batch_size=1: same global batch, one clip's activations), " +
            "gradient checkpointing (gradient_checkpointing=true: one block's activations at a time), " +
            "chunking (a smaller batch size, fewer frames or a smaller resolution: " +
            "activations grow with batch × tokens and attention with tokens²), a smaller preset (e.g. configs/tiny or configs/demo " +
            "instead of CogVideoX-2B/5B), or LoRA (mode=lora trains adapters only: no full gradients or optimizer state). " +
            $"Set {AvailableVariable} (or lamo train --set max_memory_gb=N / lamo sample --max-memory NG) if the available memory is misreported.");
    }

    /// <summary>One line: what, the total and each term, and the available memory when known.</summary>
    public string Summary() =>
        $"{What}: about {Gb(Total)} (weights {Gb(Weights)}, gradients {Gb(Gradients)}, optimizer {Gb(OptimizerState)}, " +
        $"activations {Gb(Activations)}; {Tokens:N0} tokens per sample); available: {(Available() is { } a ? Gb(a) : "unknown")}";

    /// <summary>Gigabytes with one decimal.</summary>
    public static string Gb(long bytes) => (bytes / (double)(1L << 30)).ToString("F1", CultureInfo.InvariantCulture) + " GB";

    private static long Saturate(double x) => x >= long.MaxValue ? long.MaxValue : (long)x;
}
