using System.Text.Json;
using System.Text.Json.Serialization;
using static LaMo.Models.VaeConfigJson;

namespace LaMo.Models.WanVae;

/// <summary>Architecture of <see cref="AutoencoderKLWan"/>. Mirrors the keys of diffusers' <c>vae/config.json</c>
/// (v0.40.0 <c>AutoencoderKLWan.__init__</c>); defaults are diffusers' defaults, which are the Wan 2.1 VAE.</summary>
/// <remarks>Wan 2.1 (all Wan 2.1 models and Wan 2.2 A14B) uses the defaults; the Wan 2.2 TI2V-5B VAE sets
/// <c>is_residual</c>, <c>patch_size</c> 2, 12 in/out channels (3 video channels × 2×2 patch), z_dim 48,
/// decoder_base_dim 256 ≠ base_dim 160 and spatial factor 16. configs/wan2.1-t2v-1.3b/vae and
/// configs/wan2.2-ti2v-5b/vae hold the published files.</remarks>
public sealed record AutoencoderKLWanConfig
{
    /// <summary>Largest accepted channel count (absurd sizes are rejected before allocating).</summary>
    public const int MaxChannels = 8192;

    /// <summary><c>_class_name</c>; must be <c>AutoencoderKLWan</c> when present.</summary>
    [JsonPropertyName("_class_name")] public string? ClassName { get; init; } = "AutoencoderKLWan";
    /// <summary><c>_diffusers_version</c>; informational.</summary>
    [JsonPropertyName("_diffusers_version")] public string? DiffusersVersion { get; init; }
    /// <summary><c>_name_or_path</c>; informational (written by some diffusers versions).</summary>
    [JsonPropertyName("_name_or_path")] public string? NameOrPath { get; init; }
    /// <summary>Encoder width: block i has base_dim·dim_mult[i] channels (default 96).</summary>
    [JsonPropertyName("base_dim")] public int BaseDim { get; init; } = 96;
    /// <summary>Decoder width, or null for <see cref="BaseDim"/> (Wan 2.2: 256 against base_dim 160).</summary>
    [JsonPropertyName("decoder_base_dim")] public int? DecoderBaseDim { get; init; }
    /// <summary>Latent channels (default 16; Wan 2.2: 48).</summary>
    [JsonPropertyName("z_dim")] public int ZDim { get; init; } = 16;
    /// <summary>Channel multipliers per block (default [1, 2, 4, 4]); every block but the last halves H and W.</summary>
    [JsonPropertyName("dim_mult")] public IReadOnlyList<int> DimMult { get; init; } = [1, 2, 4, 4];
    /// <summary>Resnets per encoder block; decoder blocks have one more (default 2).</summary>
    [JsonPropertyName("num_res_blocks")] public int NumResBlocks { get; init; } = 2;
    /// <summary>Encoder scales that get an attention block; must be empty: diffusers v0.40.0 builds the blocks but
    /// its chunked encoder cannot call them (and the decoder ignores the list).</summary>
    [JsonPropertyName("attn_scales")] public IReadOnlyList<double> AttnScales { get; init; } = [];
    /// <summary>Which down blocks also halve time, one per block but the last (default [false, true, true]); the
    /// decoder uses the reverse. (The spelling is diffusers'.)</summary>
    [JsonPropertyName("temperal_downsample")] public IReadOnlyList<bool> TemperalDownsample { get; init; } = [false, true, true];
    /// <summary>Dropout inside the resnets, applied in training mode only (default 0).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    /// <summary>Per-channel latent mean; pipelines normalise with (z − mean)/std. Default: the Wan 2.1 values.</summary>
    [JsonPropertyName("latents_mean")] public IReadOnlyList<double> LatentsMean { get; init; } =
    [
        -0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
        0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921,
    ];
    /// <summary>Per-channel latent standard deviation. Default: the Wan 2.1 values.</summary>
    [JsonPropertyName("latents_std")] public IReadOnlyList<double> LatentsStd { get; init; } =
    [
        2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
        3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160,
    ];
    /// <summary>Wan 2.2 blocks: residual down/up blocks with average-down / duplicate-up shortcuts (default false).</summary>
    [JsonPropertyName("is_residual")] public bool IsResidual { get; init; }
    /// <summary>Encoder input channels, after patchify (default 3; Wan 2.2: 12 = 3 × 2 × 2).</summary>
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 3;
    /// <summary>Decoder output channels, before unpatchify (default 3; Wan 2.2: 12).</summary>
    [JsonPropertyName("out_channels")] public int OutChannels { get; init; } = 3;
    /// <summary>Spatial patch folded into channels before encoding and unfolded after decoding, or null for none
    /// (Wan 2.2: 2).</summary>
    [JsonPropertyName("patch_size")] public int? PatchSize { get; init; }
    /// <summary>Frames per latent frame after the first (default 4); must match the temporal downsampling.</summary>
    [JsonPropertyName("scale_factor_temporal")] public int? ScaleFactorTemporal { get; init; } = 4;
    /// <summary>Pixels per latent pixel (default 8; Wan 2.2: 16 = 8 × patch 2); must match the architecture.</summary>
    [JsonPropertyName("scale_factor_spatial")] public int? ScaleFactorSpatial { get; init; } = 8;
    /// <summary>Written into the published Wan 2.2 TI2V-5B <c>vae/config.json</c> (false) by the diffusers build that
    /// converted it; diffusers v0.40.0 has no such argument, ignores the key and always clamps decoded video to
    /// [−1, 1], and so does this port. Informational.</summary>
    [JsonPropertyName("clip_output")] public bool? ClipOutput { get; init; }

    /// <summary>The decoder's width (<see cref="DecoderBaseDim"/> or <see cref="BaseDim"/>).</summary>
    [JsonIgnore] public int DecoderDim => DecoderBaseDim ?? BaseDim;
    /// <summary>The patch side (1 when <see cref="PatchSize"/> is null).</summary>
    [JsonIgnore] public int Patch => PatchSize ?? 1;
    /// <summary>Video channels: <see cref="InChannels"/> / patch².</summary>
    [JsonIgnore] public int VideoInChannels => InChannels / (Patch * Patch);
    /// <summary>Decoded video channels: <see cref="OutChannels"/> / patch².</summary>
    [JsonIgnore] public int VideoOutChannels => OutChannels / (Patch * Patch);
    /// <summary>Spatial compression of the network alone: 2^(blocks − 1).</summary>
    [JsonIgnore] public int NetworkSpatialCompression => 1 << (DimMult.Count - 1);
    /// <summary>Spatial compression of video to latents: network × patch.</summary>
    [JsonIgnore] public int SpatialCompression => NetworkSpatialCompression * Patch;
    /// <summary>Temporal compression: 2^(number of true entries of <see cref="TemperalDownsample"/>).</summary>
    [JsonIgnore] public int TemporalCompression => 1 << TemperalDownsample.Count(t => t);
    /// <summary>Clips of 1 + step·k frames encode and decode back to the same count: the encoder takes frame 0 alone,
    /// then chunks of <see cref="AutoencoderKLWan.EncodeChunkFrames"/> (4).</summary>
    [JsonIgnore] public int RoundTripFrameStep => AutoencoderKLWan.EncodeChunkFrames;

    /// <summary>The Wan 2.1 VAE (the diffusers defaults; also used by Wan 2.2 A14B).</summary>
    public static AutoencoderKLWanConfig Wan21 { get; } = new();

    /// <summary>The Wan 2.2 TI2V-5B VAE (configs/wan2.2-ti2v-5b/vae/config.json).</summary>
    public static AutoencoderKLWanConfig Wan22 { get; } = new()
    {
        BaseDim = 160, DecoderBaseDim = 256, ZDim = 48, IsResidual = true, InChannels = 12, OutChannels = 12,
        PatchSize = 2, ScaleFactorSpatial = 16,
        LatentsMean =
        [
            -0.2289, -0.0052, -0.1323, -0.2339, -0.2799, 0.0174, 0.1838, 0.1557, -0.1382, 0.0542, 0.2813, 0.0891,
            0.157, -0.0098, 0.0375, -0.1825, -0.2246, -0.1207, -0.0698, 0.5109, 0.2665, -0.2108, -0.2158, 0.2502,
            -0.2055, -0.0322, 0.1109, 0.1567, -0.0729, 0.0899, -0.2799, -0.123, -0.0313, -0.1649, 0.0117, 0.0723,
            -0.2839, -0.2083, -0.052, 0.3748, 0.0152, 0.1957, 0.1433, -0.2944, 0.3573, -0.0548, -0.1681, -0.0667,
        ],
        LatentsStd =
        [
            0.4765, 1.0364, 0.4514, 1.1677, 0.5313, 0.499, 0.4818, 0.5013, 0.8158, 1.0344, 0.5894, 1.0901,
            0.6885, 0.6165, 0.8454, 0.4978, 0.5759, 0.3523, 0.7135, 0.6804, 0.5833, 1.4146, 0.8986, 0.5659,
            0.7069, 0.5338, 0.4889, 0.4917, 0.4069, 0.4999, 0.6866, 0.4093, 0.5709, 0.6065, 0.6415, 0.4944,
            0.5726, 1.2042, 0.5458, 1.6887, 0.3971, 1.06, 0.3943, 0.5537, 0.5444, 0.4089, 0.7468, 0.7744,
        ],
    };

    /// <summary>Checks every field and their agreement.</summary>
    /// <exception cref="InvalidDataException">A field is out of range or fields disagree (the message names them).</exception>
    /// <exception cref="NotSupportedException">Non-empty <c>attn_scales</c>.</exception>
    public void Validate()
    {
        if (ClassName is not null and not "AutoencoderKLWan")
            throw Bad("_class_name", ClassName, "must be AutoencoderKLWan");
        CheckRange("base_dim", BaseDim, 1, MaxChannels);
        if (DecoderBaseDim is { } d) CheckRange("decoder_base_dim", d, 1, MaxChannels);
        CheckRange("z_dim", ZDim, 1, MaxChannels);
        CheckRange("num_res_blocks", NumResBlocks, 1, 64);
        if (DimMult is null || DimMult.Count is < 2 or > 8) throw Bad("dim_mult", Show(DimMult), "must have 2 to 8 entries");
        for (int i = 0; i < DimMult.Count; i++)
        {
            CheckRange($"dim_mult[{i}]", DimMult[i], 1, 64);
            if ((long)BaseDim * DimMult[i] > MaxChannels || (long)DecoderDim * DimMult[i] > MaxChannels)
                throw Bad($"dim_mult[{i}]", DimMult[i], $"makes a block wider than {MaxChannels} channels");
        }
        if (TemperalDownsample is null || TemperalDownsample.Count != DimMult.Count - 1)
            throw Bad("temperal_downsample", Show(TemperalDownsample), $"must have {DimMult.Count - 1} entries (one per block but the last)");
        if (AttnScales is null || AttnScales.Count != 0)
            throw new NotSupportedException($"VAE config: attn_scales = {Show(AttnScales)}: only [] is supported (diffusers v0.40.0's chunked encoder cannot run encoder attention blocks either)");
        if (!(Dropout >= 0 && Dropout < 1)) throw Bad("dropout", Dropout, "must be in [0, 1)");
        CheckRange("in_channels", InChannels, 1, MaxChannels);
        CheckRange("out_channels", OutChannels, 1, MaxChannels);
        if (PatchSize is { } p)
        {
            CheckRange("patch_size", p, 1, 16);
            if (InChannels % (p * p) != 0) throw Bad("in_channels", InChannels, $"must be divisible by patch_size² ({p * p})");
            if (OutChannels % (p * p) != 0) throw Bad("out_channels", OutChannels, $"must be divisible by patch_size² ({p * p})");
        }
        CheckStats("latents_mean", LatentsMean, positive: false);
        CheckStats("latents_std", LatentsStd, positive: true);
        if (ScaleFactorTemporal is { } t && t != TemporalCompression)
            throw Bad("scale_factor_temporal", t, $"must equal the temporal downsampling of temperal_downsample ({TemporalCompression})");
        if (ScaleFactorSpatial is { } s && s != SpatialCompression)
            throw Bad("scale_factor_spatial", s, $"must equal 2^(blocks−1) × patch ({SpatialCompression})");
        if (IsResidual) CheckResidualShortcuts();
    }

    /// <summary>The residual blocks' shortcuts regroup channels: AvgDown3D needs in·factor divisible by out, DupUp3D
    /// out·factor divisible by in (diffusers asserts the same at construction).</summary>
    private void CheckResidualShortcuts()
    {
        int n = DimMult.Count;
        for (int i = 0; i < n; i++)
        {
            long inDim = (long)BaseDim * (i == 0 ? 1 : DimMult[i - 1]), outDim = (long)BaseDim * DimMult[i];
            long factor = (i < n - 1 ? 4 : 1) * (i < n - 1 && TemperalDownsample[i] ? 2 : 1);
            if (inDim * factor % outDim != 0)
                throw Bad("dim_mult", Show(DimMult), $"encoder block {i}: {inDim}·{factor} channels cannot be averaged into {outDim}");
        }
        var up = TemperalDownsample.Reverse().ToList();
        for (int i = 0; i < n - 1; i++)
        {
            long inDim = (long)DecoderDim * (i == 0 ? DimMult[n - 1] : DimMult[n - i]);   // decoder dims: [m[−1]] + reversed(m)
            long outDim = (long)DecoderDim * DimMult[n - 1 - i];
            long factor = 4 * (up[i] ? 2 : 1);
            if (outDim * factor % inDim != 0)
                throw Bad("dim_mult", Show(DimMult), $"decoder block {i}: {outDim}·{factor} channels cannot be duplicated from {inDim}");
        }
    }

    private void CheckStats(string field, IReadOnlyList<double>? values, bool positive)
    {
        if (values is null || values.Count != ZDim) throw Bad(field, Show(values), $"must have z_dim ({ZDim}) entries");
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]) || (positive && !(values[i] > 0)))
                throw Bad($"{field}[{i}]", values[i], positive ? "must be positive and finite" : "must be finite");
        }
    }

    /// <summary>Parses a diffusers <c>config.json</c> text strictly (unknown keys are errors) and validates it.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key, or a bad field (named).</exception>
    public static AutoencoderKLWanConfig FromJson(string json, string source = "config.json") =>
        VaeConfigJson.Parse<AutoencoderKLWanConfig>(json, source, c => c.Validate());

    /// <summary>Reads and parses a <c>config.json</c> file; see <see cref="FromJson"/>.</summary>
    public static AutoencoderKLWanConfig Load(string path) => FromJson(File.ReadAllText(path), path);

    /// <summary>The config as diffusers-style JSON (every key written).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, VaeConfigJson.Options);
}
