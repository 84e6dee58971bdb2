using LaMo.Diffusion;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Models;
using LaMo.Models.Lora;
using LaMo.Motion;
using LaMo.Video;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary>Options of <c>lamo sample</c>.</summary>
/// <param name="Pipeline">Pipeline folder (diffusers layout).</param>
/// <param name="Prompts">Prompts to render.</param>
/// <param name="Seeds">Seeds; every prompt is rendered once per seed.</param>
/// <param name="Out">Output folder.</param>
/// <param name="Lora">Optional LoRA adapter file applied to the transformer.</param>
/// <param name="Predictor">Optional predictor folder; with <paramref name="Guidance"/> enables Motion Prior Guidance.</param>
/// <param name="Guidance">Guidance settings (null: no Motion Prior Guidance).</param>
/// <param name="Steps">Denoising steps.</param>
/// <param name="Cfg">Classifier-free guidance scale.</param>
/// <param name="Frames">RGB frames.</param>
/// <param name="Size">Frame height and width.</param>
/// <param name="Format">mp4 or gif.</param>
/// <param name="FirstOrderDpm">DPM: always first order, as LaMo's sampling code does.</param>
/// <param name="MaxMemoryBytes">Memory the run may use (null: available memory); refused up front when the estimate exceeds it.</param>
/// <param name="Scheduler">Override the pipeline's scheduler class: <c>ddim</c> or <c>dpm</c> (same config values;
/// LaMo samples with DPM); null keeps the folder's.</param>
/// <param name="DynamicCfg">CogVideoX's dynamic CFG schedule.</param>
/// <param name="NegativePrompt">Negative prompt for CFG ("" = the empty prompt).</param>
/// <param name="VaeTiling">Decode in spatial tiles (diffusers' <c>enable_tiling</c>): bounded memory at 480 × 720 and up.</param>
/// <param name="Height">Frame height when it differs from <paramref name="Size"/> (e.g. CogVideoX's 480 × 720).</param>
/// <param name="Width">Frame width when it differs from <paramref name="Size"/>.</param>
/// <param name="Dtype">Transformer and T5 weight type: fp32, bf16 (CogVideoX-5B's) or fp16 (2B's); the VAE, scheduler and
/// guidance run in fp32.</param>
/// <param name="World">World folder (<c>lamo world generate</c>): sample every clip with its caption, named by clip id
/// (one seed; each clip's noise seed is <see cref="Continuations.ClipSeed"/>). Excludes prompts.</param>
/// <param name="GivenVideo">Continue this video (one prompt: its caption); named by its file stem.</param>
/// <param name="GivenFrames">RGB frames of the clip given to the model (0: text-to-video; else 1 + 4k, with
/// <paramref name="World"/> or <paramref name="GivenVideo"/>).</param>
/// <param name="LoraScale">Factor on the LoRA update (0: the base model, 1: as trained).</param>
/// <param name="Overwrite">Replace the videos and <c>sample.json</c> an earlier run left in <paramref name="Out"/>
/// (otherwise such a folder is refused).</param>
/// <param name="Device">Where to compute: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (see <see cref="Core.ComputeDevice"/>);
/// the pipeline's weights are loaded there and every tensor of the run is made there.</param>
public sealed record SampleOptions(string Pipeline, IReadOnlyList<string> Prompts, IReadOnlyList<long> Seeds, string Out,
    string? Lora = null, string? Predictor = null, MotionPriorGuidanceOptions? Guidance = null, int Steps = 50, double Cfg = 6.0,
    int Frames = 17, int Size = 64, string Format = "mp4", bool FirstOrderDpm = false, long? MaxMemoryBytes = null, string Dtype = "fp32",
    int? Height = null, int? Width = null, bool VaeTiling = false, string? Scheduler = null, bool DynamicCfg = false, string NegativePrompt = "",
    string? World = null, string? GivenVideo = null, int GivenFrames = 0, double LoraScale = 1, bool Overwrite = false, string Device = "cpu")
{
    /// <summary>A frame size was given (with <see cref="World"/> or <see cref="GivenVideo"/>, 0 and null take the clip's).</summary>
    public bool SizeGiven => Size > 0 || Height is not null || Width is not null;

    /// <summary>Text-to-video or continuation.</summary>
    public string Mode => GivenFrames > 0 ? SampleRecord.ContinuationMode : SampleRecord.TextToVideoMode;

    /// <summary>Checks every option that needs no file read, so a bad value is refused before anything is created.</summary>
    /// <exception cref="ArgumentException">The first bad option, in one line.</exception>
    public SampleOptions Validate()
    {
        if (Steps is < 1 or > 1000) throw new ArgumentException($"--steps ({Steps}) must be in [1, 1000]");
        if (!double.IsFinite(Cfg) || Cfg < 0) throw new ArgumentException($"--cfg ({Cfg}) must be a finite number >= 0");
        if (Format is not ("mp4" or "gif")) throw new ArgumentException($"--format ('{Format}') must be mp4 or gif");
        if (Scheduler is not (null or "ddim" or "dpm")) throw new ArgumentException($"--scheduler ('{Scheduler}') must be ddim or dpm");
        if (!double.IsFinite(LoraScale)) throw new ArgumentException($"--lora-scale ({LoraScale}) must be finite");
        if (LoraScale != 1 && Lora is null) throw new ArgumentException("--lora-scale needs --lora");
        if (Guidance is not null && Predictor is null) throw new ArgumentException("guidance needs a predictor folder (--predictor)");
        if (Seeds.Count == 0) throw new ArgumentException("give at least one --seed");
        if (World is not null && GivenVideo is not null) throw new ArgumentException("--world and --given-video both give clips: use one");
        if (World is not null && Prompts.Count > 0) throw new ArgumentException("--world samples each clip with its own caption: leave out --prompt/--prompts");
        if (World is not null && Seeds.Count > 1) throw new ArgumentException("--world takes one --seed (eval pairs one video per clip): run once per seed into separate folders");
        if (GivenVideo is not null && Prompts.Count != 1) throw new ArgumentException("--given-video needs exactly one --prompt (the clip's caption)");
        if (World is null && GivenVideo is null && Prompts.Count == 0) throw new ArgumentException("give at least one prompt (--prompt, --prompts), a --world folder or a --given-video");
        if (World is null && GivenVideo is null && GivenFrames > 0) throw new ArgumentException("--given-frames needs the clip to continue: --given-video FILE or --world FOLDER");
        if (GivenVideo is not null && GivenFrames == 0) throw new ArgumentException("--given-video needs --given-frames K (1 + 4k frames of it are given)");
        if (GivenVideo is not null && !File.Exists(GivenVideo) && !Directory.Exists(GivenVideo)) throw new ArgumentException($"--given-video {GivenVideo}: no such file");
        Continuations.CheckGivenFrames(GivenFrames);
        WeightDtype.Parse(Dtype, "--dtype");
        Core.ComputeDevice.Parse(Device);
        return this;
    }

    /// <summary>Frame height: <see cref="Height"/>, else <see cref="Size"/>.</summary>
    public int FrameHeight => Height ?? Size;

    /// <summary>Frame width: <see cref="Width"/>, else <see cref="Size"/>.</summary>
    public int FrameWidth => Width ?? Size;
}

/// <summary>One generated video on disk.</summary>
/// <param name="Prompt">Caption.</param>
/// <param name="Seed">Noise seed.</param>
/// <param name="Path">File written.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Clip">World clip id (continuation or world split), else null.</param>
public sealed record SampledVideo(string Prompt, long Seed, string Path, double Seconds, string? Clip = null);

/// <summary><c>lamo sample</c>: prompts → videos, optionally with a LoRA fine-tune and Motion Prior Guidance.</summary>
public static class SampleWorkflow
{
    /// <summary>Renders every job (prompt × seed, the given video per seed, or every world clip) and writes one file each,
    /// then <c>prompts.tsv</c> and <c>sample.json</c>; returns the videos in order.</summary>
    /// <param name="part">Render only this part's videos (round robin over the jobs) into <c>Out.parts/i-of-N</c>;
    /// <see cref="MergeWorkflow"/> then assembles <c>Out</c>.</param>
    public static IReadOnlyList<SampledVideo> Run(SampleOptions o, IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default,
        DataShard? part = null)
    {
        o.Validate();
        bool wan = PipelineFolder.IsWan(o.Pipeline);
        if (wan) WanSampling.Check(o);
        var jobs = SampleJobs.Build(o);
        var dtype = WeightDtype.Parse(o.Dtype, "dtype");
        Reliability.PipelineMemory.Estimate(o.Pipeline, jobs.Max(j => j.Frames), jobs.Max(j => j.Height), jobs.Max(j => j.Width),
            WeightDtype.Bytes(dtype), o.VaeTiling).EnsureFits(o.MaxMemoryBytes);
        // Every part refuses an earlier output; one deletes it (parts write beside it, the merge fills it).
        OutputGuard.ClaimFolder(o.Out, o.Overwrite, IsSampleOutput, "sampled videos", delete: part is null || part.Rank == 0);
        using var pipe = wan ? null : Load(o);
        using var wanPipe = wan ? WanSampling.Load(o) : null;
        var record = Record(o);
        string target = part is null ? o.Out : ShardParts.PartFolder(o.Out, part);
        Directory.CreateDirectory(target);
        if (part is not null) ShardParts.Reopen(target);
        var results = new List<SampledVideo>();
        var indices = new List<int>();
        var mine = Enumerable.Range(0, jobs.Count).Where(i => part?.Owns(i) ?? true).ToList();
        foreach (int i in mine)
        {
            var job = jobs[i];
            using var scope = NewDisposeScope();
            var request = new GenerationRequest
            {
                Prompts = [job.Prompt], NumFrames = job.Frames, Height = job.Height, Width = job.Width,
                NumInferenceSteps = o.Steps, GuidanceScale = o.Cfg, Seed = job.Seed, UseDynamicCfg = o.DynamicCfg, NegativePrompt = o.NegativePrompt,
            };
            GeneratedVideo r;
            if (wanPipe is not null)
            {
                using var given = job.Given is null ? null : Continuations.Encode(wanPipe, First(job.Given(), o.GivenFrames));
                r = Continuations.Generate(wanPipe, request, given, o.GivenFrames, job.Fps, ct: ct);
            }
            else
            {
                using var given = job.Given is null ? null : Continuations.Encode(pipe!, First(job.Given(), o.GivenFrames));
                r = Continuations.Generate(pipe!, request, given, o.GivenFrames, job.Fps, ct: ct);
            }
            string path = Path.Combine(target, $"{job.Name}.{o.Format}");
            VideoEncoder.Write(path, r.Video);
            results.Add(new SampledVideo(job.Prompt, job.Seed, path, r.Seconds, job.Clip));
            indices.Add(i);
            progress?.Report((results.Count, mine.Count));
        }
        File.WriteAllLines(Path.Combine(target, PromptList), results.Select(PromptLine));
        if (part is null) (record with { Videos = results.Select(v => new SampleRecordVideo(Path.GetFileName(v.Path), v.Prompt, v.Seed, v.Clip)).ToList() }).Save(target);
        else SampleParts.Complete(target, part, o, record, results, indices);
        return results;
    }

    // The first k frames of a given clip (encoded alone: the model is given nothing after them).
    private static VideoFrames First(VideoFrames v, int k) => v.Select(Enumerable.Range(0, k).ToArray(), v.Fps);

    /// <summary>True for the files a sample run writes (videos, <c>prompts.tsv</c>, <c>sample.json</c>): what
    /// <c>--overwrite</c> replaces and what makes a folder refused without it.</summary>
    public static bool IsSampleOutput(string fileName) =>
        fileName is PromptList or SampleRecord.FileName
        || fileName.EndsWith(".gif", StringComparison.OrdinalIgnoreCase)
        || Evaluation.FrameStackDecoder.VideoExtensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>The <c>sample.json</c> of <paramref name="o"/> without its videos (paths relative to <c>o.Out</c>).</summary>
    public static SampleRecord Record(SampleOptions o) => new(
        o.Mode, o.GivenFrames, SampleRecord.Relative(o.Out, o.World ?? o.GivenVideo), SampleRecord.Relative(o.Out, o.Pipeline)!,
        SampleRecord.Relative(o.Out, o.Lora), o.LoraScale, SampleRecord.Relative(o.Out, o.Predictor), o.Guidance?.Lambda, o.Guidance?.Rho,
        o.Scheduler ?? (PipelineFolder.IsWan(o.Pipeline) ? WanSampling.SchedulerClass(o.Pipeline)
            : SchedulerConfig.Load(Path.Combine(o.Pipeline, "scheduler", "scheduler_config.json")).ClassName) ?? "unknown",
        o.FirstOrderDpm, o.Steps, o.Cfg, o.DynamicCfg, o.NegativePrompt, o.Dtype, o.Seeds, []);

    /// <summary>File listing the videos: name, seed and prompt, tab-separated, in prompt × seed order.</summary>
    public const string PromptList = "prompts.tsv";

    internal static string PromptLine(SampledVideo v) => $"{Path.GetFileName(v.Path)}\t{v.Seed}\t{v.Prompt}";

    /// <summary>Loads the pipeline with the LoRA and guidance of <paramref name="o"/> applied.</summary>
    public static CogVideoXPipeline Load(SampleOptions o)
    {
        Diffusion.Pipeline.PipelineFolderLimits.Check(o.Pipeline);
        var dtype = WeightDtype.Parse(o.Dtype, "dtype");
        var device = Core.ComputeDevice.Resolve(o.Device);
        var pipe = PipelineFolder.Load(o.Pipeline, dtype, chainPreviousX0: !o.FirstOrderDpm, textEncoderDtype: dtype, device: device);   // T5 too, as diffusers' torch_dtype
        if (o.VaeTiling) pipe.Vae?.EnableTiling();
        if (o.Lora is not null)
        {
            var set = LoraAdapterSet.Inject(pipe.Transformer, LoraAdapterSet.ReadConfig(o.Lora));
            set.Load(o.Lora);
            if (o.LoraScale != 1) set.Rescale(o.LoraScale);
            set.Merge();
        }
        var scheduler = o.Scheduler is null ? pipe.Scheduler : SchedulerFactory.Create(
            SchedulerConfig.Load(Path.Combine(o.Pipeline, "scheduler", "scheduler_config.json")), SchedulerClass(o.Scheduler), chainPreviousX0: !o.FirstOrderDpm);
        if (o.Guidance is null && o.Scheduler is null) return pipe;
        var prior = o.Guidance is null ? null : MotionPriorFolder.Load(o.Predictor!, device);
        return new CogVideoXPipeline(pipe.Transformer, pipe.Vae, scheduler, pipe.TextEncoder)
        {
            Guidance = prior is null ? [] : [new MotionPriorGuidance(prior, o.Guidance!)], OwnsComponents = true,
        };
    }

    private static string SchedulerClass(string name) => name switch
    {
        "ddim" => SchedulerFactory.DDIM,
        "dpm" => SchedulerFactory.DPM,
        _ => throw new ArgumentException($"scheduler ('{name}') must be ddim or dpm", "scheduler"),
    };
}
