using System.Text.Json;
using System.Text.Json.Serialization;
using LaMo.Core;

namespace LaMo.Workflows;

/// <summary>One video of a <see cref="SampleRecord"/>.</summary>
/// <param name="File">File name in the output folder.</param>
/// <param name="Prompt">Caption it was generated from.</param>
/// <param name="Seed">Noise seed it was generated with.</param>
/// <param name="Clip">World clip id (continuation or world split), else null.</param>
public sealed record SampleRecordVideo(string File, string Prompt, long Seed, string? Clip = null);

/// <summary><c>sample.json</c>: everything that made the videos of a <c>lamo sample</c> folder, read back by
/// <c>lamo eval</c> to pick the mode and the reference rows that fit. Paths are relative to the folder.</summary>
/// <param name="Mode"><see cref="ContinuationMode"/> or <see cref="TextToVideoMode"/>.</param>
/// <param name="GivenFrames">RGB frames given (0 in text-to-video mode).</param>
/// <param name="Source">World folder (<c>--world</c>) or given video (<c>--given-video</c>), else null.</param>
/// <param name="Pipeline">Pipeline folder.</param>
/// <param name="Lora">LoRA file, or null.</param>
/// <param name="LoraScale">Factor on the LoRA update.</param>
/// <param name="Predictor">Predictor folder of Motion Prior Guidance, or null.</param>
/// <param name="GuidanceLambda">Guidance step size λ (null: no guidance).</param>
/// <param name="GuidanceRho">Guided fraction ρ of the steps (null: no guidance).</param>
/// <param name="Scheduler">Scheduler used: the override (<c>ddim</c>, <c>dpm</c>) or the folder's class name.</param>
/// <param name="FirstOrderDpm">DPM kept first order.</param>
/// <param name="Steps">Denoising steps.</param>
/// <param name="Cfg">Classifier-free guidance scale.</param>
/// <param name="DynamicCfg">CogVideoX's dynamic CFG schedule.</param>
/// <param name="NegativePrompt">Negative prompt.</param>
/// <param name="Dtype">Transformer and T5 weight type.</param>
/// <param name="Seeds">Sampling seeds asked for (per-clip noise seeds are in <paramref name="Videos"/>).</param>
/// <param name="Videos">Every video, in generation order.</param>
public sealed record SampleRecord(string Mode, int GivenFrames, string? Source, string Pipeline, string? Lora, double LoraScale,
    string? Predictor, double? GuidanceLambda, double? GuidanceRho, string Scheduler, bool FirstOrderDpm, int Steps, double Cfg,
    bool DynamicCfg, string NegativePrompt, string Dtype, IReadOnlyList<long> Seeds, IReadOnlyList<SampleRecordVideo> Videos)
{
    /// <summary>File name beside the videos.</summary>
    public const string FileName = "sample.json";

    /// <summary>Mode names.</summary>
    public const string ContinuationMode = "continuation", TextToVideoMode = "text-to-video";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes <c>{folder}/sample.json</c> atomically.</summary>
    public void Save(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json).ReplaceLineEndings("\n") + "\n");

    /// <summary>Reads <c>{folder}/sample.json</c>; null when the folder has none.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or names an unknown mode.</exception>
    public static SampleRecord? TryLoad(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        SampleRecord? r;
        try { r = JsonSerializer.Deserialize<SampleRecord>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed ({e.Message.Split(". Path")[0]})"); }
        if (r is null || r.Mode is not (ContinuationMode or TextToVideoMode) || r.GivenFrames < 0 || (r.Mode == TextToVideoMode) != (r.GivenFrames == 0))
            throw new InvalidDataException($"{path}: mode '{r?.Mode}' with given_frames {r?.GivenFrames} is not a valid sample record");
        return r;
    }

    /// <summary>A path as stored: relative to <paramref name="folder"/> (the record travels with its folder).</summary>
    public static string? Relative(string folder, string? path) =>
        path is null ? null : Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path)).Replace('\\', '/');
}
