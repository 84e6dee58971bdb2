using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Motion;

namespace LaMo.Reliability;

/// <summary>Central bounds checked on untrusted configs BEFORE anything is allocated from their numbers. The per-field
/// ranges of each config record stop single absurd values (10^12 channels fails as an int; num_layers 10^9 fails the
/// range); these bounds stop combinations that are individually in range but absurd together (1024 layers × 65536
/// width is 5·10^13 parameters), and the configs whose records have no upper bounds (predictor, scheduler).</summary>
public static class ResourceLimits
{
    /// <summary>Largest model accepted: 10^11 parameters (20 × CogVideoX-5B).</summary>
    public const long MaxParameters = 100_000_000_000;

    /// <summary>Largest config JSON file read (configs are a few KB; a trained_betas list of 10^5 values is ~2 MB).</summary>
    public const long MaxConfigFileBytes = 4 << 20;

    /// <summary>Largest <c>num_train_timesteps</c> (diffusers uses 1000; the schedule arrays are allocated from it).</summary>
    public const int MaxTrainTimesteps = 100_000;

    /// <summary>Largest batch size and LoRA rank accepted by the training options.</summary>
    public const int MaxBatchSize = 65_536, MaxLoraRank = 65_536;

    /// <summary>Largest video frame side (pixels) decoded; larger headers are refused before decoding.</summary>
    public const int MaxFrameSide = 4096;

    /// <summary>Largest decoded clip (frames × height × width × 3 bytes) for one dataset entry: 2 GB.</summary>
    public const long MaxDecodedClipBytes = 2L << 30;

    /// <summary>Parameters of a <see cref="CogVideoXTransformer3DModel"/> of <paramref name="c"/>, from the config alone
    /// (matches the module's own count; see the reliability tests).</summary>
    public static long TransformerParameters(CogVideoXTransformerConfig c)
    {
        long d = c.InnerDim, t = c.TimeEmbedDim, hd = c.AttentionHeadDim, p = c.PatchSize;
        long affine = c.NormElementwiseAffine ? 2 * d : 0;
        long attnBias = c.AttentionBias ? 4 * d : 0;
        long block = 2 * (6 * d * t + 6 * d + affine)    // norm1, norm2 (LayerNormZero: linear T → 6D + LayerNorm)
                     + 4 * d * d + attnBias + 4 * hd      // to_q/k/v/out + norm_q/norm_k
                     + 8 * d * d + 5 * d;                 // ff: D → 4D → D
        long patchBias = c.PatchBias ? 2 * d : 0;
        long global = c.InChannels * p * p * d + c.TextEmbedDim * d + patchBias      // patch_embed (conv + text_proj)
                      + d * t + t + t * t + t                                        // time_embedding
                      + affine                                                       // norm_final
                      + t * 2 * d + 2 * d + affine                                   // norm_out
                      + d * p * p * c.ResolvedOutChannels + p * p * c.ResolvedOutChannels; // proj_out
        return checked(c.NumLayers * block + global);
    }

    /// <summary>Approximate parameters of an <see cref="AutoencoderKLCogVideoX"/> (3×3×3 convolutions dominate).</summary>
    public static long VaeParameters(AutoencoderKLCogVideoXConfig c)
    {
        long total = 0;
        foreach (int ch in c.BlockOutChannels)
        {
            long conv = 27L * ch * ch;
            total += (2L * c.LayersPerBlock + 1) * 2 * conv;   // encoder resnets (2 convs each)
            total += (2L * (c.LayersPerBlock + 1) + 1) * 2 * conv; // decoder resnets (one more layer)
        }
        long top = c.BlockOutChannels[^1];
        total += 4 * 2 * 27L * top * top;                          // mid blocks of encoder and decoder
        return total;
    }

    /// <summary>Approximate parameters of a <see cref="MotionPrior"/>.</summary>
    public static long PriorParameters(MotionPriorConfig c)
    {
        long h = c.HiddenChannels;
        long block = 2 * 9 * h * h + 2L * h * Math.Max(h / Math.Max(c.SeReduction, 1), 4) + (c.UsePromptCond ? 2L * c.PromptCondDim * h : 0);
        return checked(9L * c.StemInChannels * h + c.NumResBlocks * block + 9L * h * c.InChannels
                       + (c.UsePromptCond ? (long)c.PromptTextDim * c.PromptCondDim : 0));
    }

    /// <summary>Refuses a transformer config whose parameter count exceeds <see cref="MaxParameters"/>.</summary>
    /// <exception cref="InvalidDataException">Names the source, the count and the bound.</exception>
    public static CogVideoXTransformerConfig Check(CogVideoXTransformerConfig c, string source)
    {
        long n;
        try { n = TransformerParameters(c); }
        catch (OverflowException) { n = long.MaxValue; }
        return n <= MaxParameters ? c : throw TooBig(source, "transformer", n);
    }

    /// <summary>Refuses a VAE config whose parameter count exceeds <see cref="MaxParameters"/>.</summary>
    public static AutoencoderKLCogVideoXConfig Check(AutoencoderKLCogVideoXConfig c, string source)
    {
        long n = VaeParameters(c);
        return n <= MaxParameters ? c : throw TooBig(source, "VAE", n);
    }

    /// <summary>Parameters of a T5 v1.1 encoder of <paramref name="c"/> (embedding, per layer q/k/v/o, gated FF and two
    /// norms, the relative-position bias, the final norm): 4,762,310,656 for T5-XXL, the module's own count.</summary>
    /// <exception cref="OverflowException">Absurd sizes.</exception>
    public static long T5Parameters(Models.Text.T5Config c)
    {
        checked
        {
            long d = c.DModel, inner = (long)c.NumHeads * c.DKv;
            long layer = 4 * d * inner + 3 * d * c.DFf + 2 * d;
            return (long)c.VocabSize * d + c.NumLayers * layer + (long)c.RelativeAttentionNumBuckets * c.NumHeads + d;
        }
    }

    /// <summary>Refuses a T5 config whose encoder would exceed <see cref="MaxParameters"/>.</summary>
    public static Models.Text.T5Config Check(Models.Text.T5Config c, string source)
    {
        long n;
        try { n = T5Parameters(c); }
        catch (OverflowException) { n = long.MaxValue; }
        return n <= MaxParameters ? c : throw TooBig(source, "T5 encoder", n);
    }

    /// <summary>Refuses a predictor config that is absurd (widths beyond 65536, more than 1024 blocks, or more than
    /// <see cref="MaxParameters"/> parameters).</summary>
    public static MotionPriorConfig Check(MotionPriorConfig c, string source)
    {
        Bound(source, "in_channels", c.InChannels, 4096);
        Bound(source, "hidden_channels", c.HiddenChannels, 65_536);
        Bound(source, "num_res_blocks", c.NumResBlocks, 1024);
        Bound(source, "prompt_text_dim", c.PromptTextDim, 65_536);
        Bound(source, "prompt_cond_dim", c.PromptCondDim, 65_536);
        long n;
        try { n = PriorParameters(c); }
        catch (OverflowException) { n = long.MaxValue; }
        return n <= MaxParameters ? c : throw TooBig(source, "predictor", n);
    }

    /// <summary>Refuses a scheduler config whose schedule arrays would be absurd.</summary>
    public static SchedulerConfig Check(SchedulerConfig c, string source)
    {
        Bound(source, "num_train_timesteps", c.NumTrainTimesteps, MaxTrainTimesteps);
        Bound(source, "steps_offset", c.StepsOffset, MaxTrainTimesteps);
        return c;
    }

    /// <summary>Refuses a config file larger than <see cref="MaxConfigFileBytes"/> before reading it.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static string ReadConfigText(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        if (info.Length > MaxConfigFileBytes)
            throw new InvalidDataException($"{path}: {info.Length:N0} bytes is implausibly large for a config (limit {MaxConfigFileBytes:N0})");
        return File.ReadAllText(path);
    }

    /// <summary>Checks every config of a diffusers pipeline folder (transformer, vae, scheduler) against the bounds, without
    /// building anything. Missing components are left to the loader to report.</summary>
    public static void CheckPipelineFolder(string folder)
    {
        string t = Path.Combine(folder, "transformer", "config.json");
        if (File.Exists(t)) Check(CogVideoXTransformerConfig.FromJson(ReadConfigText(t), t), t);
        string v = Path.Combine(folder, "vae", "config.json");
        if (File.Exists(v)) Check(AutoencoderKLCogVideoXConfig.FromJson(ReadConfigText(v), v), v);
        string s = Path.Combine(folder, "scheduler", "scheduler_config.json");
        if (File.Exists(s)) Check(SchedulerConfig.Parse(ReadConfigText(s), s), s);
        TextEncoderParameters(folder);
    }

    /// <summary>Parameters of the folder's T5 text encoder after the bounds; 0 without one (or for the small word
    /// encoder, whose size does not matter).</summary>
    /// <exception cref="InvalidDataException">An absurd or malformed T5 config (named).</exception>
    public static long TextEncoderParameters(string folder)
    {
        string p = Path.Combine(folder, "text_encoder", "config.json");
        if (!File.Exists(p)) return 0;
        ReadConfigText(p);   // the size cap, before parsing
        if (Models.Text.TextConfigJson.ClassNameOf(p) != "T5EncoderModel") return 0;
        var c = Models.Text.TextConfigJson.Load<Models.Text.T5Config>(p, Models.Text.TextConfigJson.WithExtensionData);
        return T5Parameters(Check(c, p));
    }

    /// <summary>Loads a transformer config file through the size and parameter bounds.</summary>
    public static CogVideoXTransformerConfig LoadTransformerConfig(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        return Check(CogVideoXTransformerConfig.FromJson(ReadConfigText(file), file), file);
    }

    /// <summary>Loads a VAE config file through the size and parameter bounds.</summary>
    public static AutoencoderKLCogVideoXConfig LoadVaeConfig(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        return Check(AutoencoderKLCogVideoXConfig.FromJson(ReadConfigText(file), file), file);
    }

    /// <summary>Parses a predictor config through the bounds; malformed JSON is an <see cref="InvalidDataException"/>.</summary>
    public static MotionPriorConfig ParsePriorConfig(string json, string source)
    {
        try { return Check(MotionPriorConfig.FromJson(json), source); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message.Split('.')[0]})", e); }
    }

    /// <summary>Refuses absurd sizes in the training options (the memory estimate then judges the rest).</summary>
    public static Training.BackboneTrainingOptions Check(Training.BackboneTrainingOptions o)
    {
        Bound("options", "batch_size", o.BatchSize, MaxBatchSize);
        Bound("options", "lora_rank", o.LoraRank, MaxLoraRank);
        return o;
    }

    /// <summary>Refuses absurd sizes in the predictor training options.</summary>
    public static Training.PredictorTrainingOptions Check(Training.PredictorTrainingOptions o)
    {
        Bound("options", "batch_size", o.BatchSize, MaxBatchSize);
        return o;
    }

    private static void Bound(string source, string key, long value, long max)
    {
        if (value > max) throw new InvalidDataException($"{source}: {key} ({value}) exceeds the limit {max}");
    }

    private static InvalidDataException TooBig(string source, string what, long n) =>
        new($"{source}: this {what} config has {(n == long.MaxValue ? "more than 9.2e18" : n.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))} parameters, " +
            $"beyond the {MaxParameters:G3}-parameter limit; refusing to allocate it");
}
