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
public sealed record SampleOptions(string Pipeline, IReadOnlyList<string> Prompts, IReadOnlyList<long> Seeds, string Out,
    string? Lora = null, string? Predictor = null, MotionPriorGuidanceOptions? Guidance = null, int Steps = 50, double Cfg = 6.0,
    int Frames = 17, int Size = 64, string Format = "mp4", bool FirstOrderDpm = false, long? MaxMemoryBytes = null, string Dtype = "fp32",
    int? Height = null, int? Width = null, bool VaeTiling = false, string? Scheduler = null, bool DynamicCfg = false, string NegativePrompt = "")
{
    /// <summary>Frame height: <see cref="Height"/>, else <see cref="Size"/>.</summary>
    public int FrameHeight => Height ?? Size;

    /// <summary>Frame width: <see cref="Width"/>, else <see cref="Size"/>.</summary>
    public int FrameWidth => Width ?? Size;
}

/// <summary>One generated video on disk.</summary>
public sealed record SampledVideo(string Prompt, long Seed, string Path, double Seconds);

/// <summary><c>lamo sample</c>: prompts → videos, optionally with a LoRA fine-tune and Motion Prior Guidance.</summary>
public static class SampleWorkflow
{
    /// <summary>Renders every prompt × seed and writes one file each; returns them in order.</summary>
    /// <param name="part">Render only this part's videos (round robin over prompt × seed) into <c>Out.parts/i-of-N</c>;
    /// <see cref="MergeWorkflow"/> then assembles <c>Out</c>.</param>
    public static IReadOnlyList<SampledVideo> Run(SampleOptions o, IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default,
        DataShard? part = null)
    {
        if (o.Prompts.Count == 0) throw new ArgumentException("give at least one prompt", "prompts");
        if (o.Format is not ("mp4" or "gif")) throw new ArgumentException($"format ('{o.Format}') must be mp4 or gif", "format");
        if (o.Guidance is not null && o.Predictor is null) throw new ArgumentException("guidance needs a predictor folder (--predictor)", "predictor");
        var dtype = WeightDtype.Parse(o.Dtype, "dtype");
        Reliability.PipelineMemory.Estimate(o.Pipeline, o.Frames, o.FrameHeight, o.FrameWidth, WeightDtype.Bytes(dtype), o.VaeTiling).EnsureFits(o.MaxMemoryBytes);
        using var pipe = Load(o);
        string target = part is null ? o.Out : ShardParts.PartFolder(o.Out, part);
        Directory.CreateDirectory(target);
        if (part is not null) ShardParts.Reopen(target);
        var results = new List<SampledVideo>();
        var indices = new List<int>();
        int total = o.Prompts.Count * o.Seeds.Count, done = 0, job = -1;
        if (part is not null) total = Enumerable.Range(0, total).Count(part.Owns);
        for (int p = 0; p < o.Prompts.Count; p++)
            foreach (var seed in o.Seeds)
            {
                job++;
                if (part is not null && !part.Owns(job)) continue;
                var sw = System.Diagnostics.Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                using var r = pipe.Generate(new GenerationRequest
                {
                    Prompts = [o.Prompts[p]], NumFrames = o.Frames, Height = o.FrameHeight, Width = o.FrameWidth,
                    NumInferenceSteps = o.Steps, GuidanceScale = o.Cfg, Seed = seed, UseDynamicCfg = o.DynamicCfg, NegativePrompt = o.NegativePrompt,
                }, null, ct);
                string path = Path.Combine(target, $"p{p:D3}_s{seed}.{o.Format}");
                VideoEncoder.Write(path, VideoTensor.ToFrames(r.Video![0], 10));
                results.Add(new SampledVideo(o.Prompts[p], seed, path, sw.Elapsed.TotalSeconds));
                indices.Add(job);
                progress?.Report((++done, total));
            }
        File.WriteAllLines(Path.Combine(target, PromptList), results.Select(PromptLine));
        if (part is not null) SampleParts.Complete(target, part, o, results, indices);
        return results;
    }

    /// <summary>File listing the videos: name, seed and prompt, tab-separated, in prompt × seed order.</summary>
    public const string PromptList = "prompts.tsv";

    internal static string PromptLine(SampledVideo v) => $"{Path.GetFileName(v.Path)}\t{v.Seed}\t{v.Prompt}";

    /// <summary>Loads the pipeline with the LoRA and guidance of <paramref name="o"/> applied.</summary>
    public static CogVideoXPipeline Load(SampleOptions o)
    {
        Diffusion.Pipeline.PipelineFolderLimits.Check(o.Pipeline);
        var dtype = WeightDtype.Parse(o.Dtype, "dtype");
        var pipe = PipelineFolder.Load(o.Pipeline, dtype, chainPreviousX0: !o.FirstOrderDpm, textEncoderDtype: dtype);   // T5 too, as diffusers' torch_dtype
        if (o.VaeTiling) pipe.Vae?.EnableTiling();
        if (o.Lora is not null)
        {
            var set = LoraAdapterSet.Inject(pipe.Transformer, LoraAdapterSet.ReadConfig(o.Lora));
            set.Load(o.Lora);
            set.Merge();
        }
        var scheduler = o.Scheduler is null ? pipe.Scheduler : SchedulerFactory.Create(
            SchedulerConfig.Load(Path.Combine(o.Pipeline, "scheduler", "scheduler_config.json")), SchedulerClass(o.Scheduler), chainPreviousX0: !o.FirstOrderDpm);
        if (o.Guidance is null && o.Scheduler is null) return pipe;
        var prior = o.Guidance is null ? null : MotionPriorFolder.Load(o.Predictor!);
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
