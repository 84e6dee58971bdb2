using System.Diagnostics;
using LaMo.Diffusion.Pipeline;
using LaMo.Motion;
using LaMo.Workflows;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>A finished study: the figures plus what the report needs in memory (videos are not serialised).</summary>
/// <param name="Result">Every figure.</param>
/// <param name="Clips">Ground-truth clips.</param>
/// <param name="Videos">Generated videos by (variant, unit id).</param>
/// <param name="VaeReconstructions">GT through the base VAE, by clip id.</param>
/// <param name="Heatmaps">Heatmap PNGs written (paths relative to the run folder) with captions.</param>
public sealed record StudyRun(StudyResult Result, IReadOnlyList<StudyClip> Clips,
    IReadOnlyDictionary<(string Variant, string Unit), Evaluation.FrameStack> Videos,
    IReadOnlyDictionary<string, Evaluation.FrameStack> VaeReconstructions, IReadOnlyList<(string Path, string Caption)> Heatmaps);

/// <summary>Runs a study: fixed test clips, continuation with every variant for every training and sampling seed, then
/// the physics benchmark, paired bootstraps against the baseline, motion metrics and timings (<see cref="StudyEvaluation"/>).</summary>
public static class StudyRunner
{
    /// <summary>Runs the study; heatmap PNGs go to <c>{runFolder}/heatmaps/</c>.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static StudyRun Run(StudyOptions options, StudyModels models, string runFolder, TextWriter log, CancellationToken ct = default)
    {
        options.Validate();
        var stages = new List<StageTiming>();
        var variants = options.VariantList();
        var clips = Stage(stages, log, "world", () => StudyWorld.Generate(options));
        log.WriteLine($"study: {clips.Count} clips x {models.Pairs.Count} training seed(s) x {options.SamplingSeeds.Count} sampling seed(s) x {variants.Count} variant(s), {options.Steps} steps");

        var gtLatents = new Dictionary<string, Tensor>();
        var vaeRec = new Dictionary<string, Evaluation.FrameStack>();
        var videos = new Dictionary<(string, string), Evaluation.FrameStack>();
        var seconds = new Dictionary<string, List<double>>();
        var units = new List<StudyUnit>();
        var heatmaps = new List<(string, string)>();
        try
        {
            Stage(stages, log, "encode", () =>
            {
                using var basePipe = PipelineFolder.Load(models.Base);
                foreach (var c in clips)
                {
                    gtLatents[c.Id] = ContinuationSampler.Encode(basePipe, c.Render());
                    vaeRec[c.Id] = ContinuationSampler.Decode(basePipe, gtLatents[c.Id]);
                }
                return 0;
            });
            foreach (var pair in models.Pairs)
                foreach (var c in clips)
                    foreach (var s in options.SamplingSeeds)
                        units.Add(new StudyUnit($"{c.Id}~t{pair.Seed}~s{s}", c.Id, World.ScenarioNames.Name(c.World.Scenario), c.World.Split, pair.Seed, s, c.World.Caption));

            Stage(stages, log, "sample", () =>
            {
                foreach (var pair in models.Pairs)
                    foreach (bool drift in new[] { false, true })
                    {
                        var group = variants.Where(v => v.DriftLora == drift).ToArray();
                        if (group.Length == 0) continue;
                        using var pipe = SampleWorkflow.Load(new SampleOptions(models.Base, ["-"], [0], "", Lora: drift ? pair.LamoLora : pair.BaselineLora));
                        using var prior = group.Any(v => v.Guidance == VariantGuidance.MotionPrior) ? MotionPriorFolder.Load(pair.LamoPredictor) : null;
                        foreach (var v in group)
                        {
                            var clock = Stopwatch.StartNew();
                            foreach (var c in clips)
                                foreach (var s in options.SamplingSeeds)
                                {
                                    ct.ThrowIfCancellationRequested();
                                    bool heat = prior is not null && v.Guidance == VariantGuidance.MotionPrior && heatmaps.Count == 0;
                                    var r = ContinuationSampler.Generate(pipe, c.World, gtLatents[c.Id], v.CreateGuidance(prior, options.Guidance, options.Steps),
                                        NoiseSeed(s, c.Index), options.Steps, options.Cfg, options.GivenFrames, keepLatents: heat);
                                    videos[(v.Name, $"{c.Id}~t{pair.Seed}~s{s}")] = r.Video;
                                    (seconds.TryGetValue(v.Name, out var l) ? l : seconds[v.Name] = []).Add(r.Seconds);
                                    if (r.Latents is { } lat)
                                        using (lat) heatmaps.AddRange(StudyHeatmaps.Write(runFolder, pipe, prior!, c, lat, gtLatents[c.Id], r.Video, v.Name));
                                }
                            log.WriteLine($"study: {v.Name} (train seed {pair.Seed}): {clips.Count * options.SamplingSeeds.Count} videos in {clock.Elapsed.TotalSeconds:F1} s");
                        }
                    }
                return 0;
            });
        }
        finally
        {
            foreach (var t in gtLatents.Values) t.Dispose();
        }

        var eval = Stopwatch.StartNew();
        var result = StudyEvaluation.Evaluate(options, models, clips, units, videos, vaeRec, seconds, stages);
        stages.Add(new StageTiming("evaluate", eval.Elapsed.TotalSeconds));
        log.WriteLine($"study: evaluate done in {eval.Elapsed.TotalSeconds:F1} s");
        return new StudyRun(result with { Stages = stages.ToArray() }, clips, videos, vaeRec, heatmaps);
    }

    /// <summary>The noise seed of a clip under a sampling seed: identical for every variant and training seed.</summary>
    public static long NoiseSeed(long samplingSeed, int clipIndex) => Continuations.ClipSeed(samplingSeed, clipIndex);

    private static T Stage<T>(List<StageTiming> stages, TextWriter log, string name, Func<T> run)
    {
        var sw = Stopwatch.StartNew();
        var r = run();
        stages.Add(new StageTiming(name, sw.Elapsed.TotalSeconds));
        log.WriteLine($"study: {name} done in {sw.Elapsed.TotalSeconds:F1} s");
        return r;
    }
}
