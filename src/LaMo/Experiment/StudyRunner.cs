using System.Diagnostics;
using LaMo.Diffusion.Pipeline;
using LaMo.Evaluation;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;
using LaMo.Motion;
using LaMo.Workflows;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>A finished study: the figures plus what the report needs (videos are read back from the shards on demand).</summary>
/// <param name="Result">Every figure.</param>
/// <param name="Clips">Ground-truth clips.</param>
/// <param name="Video">Generated video of (arm, unit id), read from its shard.</param>
/// <param name="Heatmaps">Heatmap PNGs written (paths relative to the run folder) with captions.</param>
public sealed record StudyRun(StudyResult Result, IReadOnlyList<StudyClip> Clips, Func<string, string, FrameStack> Video,
    IReadOnlyList<(string Path, string Caption)> Heatmaps);

/// <summary>The base model failed the quality gate and test clips were to be sampled (docs/results/study-v2.md, "Quality bar").</summary>
public sealed class StudyGateException(string message) : Exception(message);

/// <summary>Runs a study in resumable stages, each shard (arm × mode × condition × split × training seed) written to disk as it
/// finishes (<see cref="StudyShards"/>): reference rows per cell, the base model's quality gate (when asked), sampling of every
/// arm, then the evaluation from the shards (<see cref="StudyEvaluation"/>). Shards already on disk are skipped.</summary>
public static class StudyRunner
{
    /// <summary>Runs (or continues) the study in <paramref name="runFolder"/>; heatmap PNGs go to <c>{runFolder}/heatmaps/</c>.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="StudyGateException">The gate was not met, test splits were asked for and <see cref="StudyOptions.IgnoreGate"/> is off.</exception>
    public static StudyRun Run(StudyOptions options, StudyModels models, string runFolder, TextWriter log, CancellationToken ct = default)
    {
        options.Validate();
        StudyBackbone.Check(options, models.Base);
        var stages = new List<StageTiming>();
        var variants = options.VariantList();
        var shards = new StudyShards(runFolder);
        var clips = Stage(stages, log, "world", () => StudyWorld.Generate(options));
        log.WriteLine($"study: {clips.Count} clips ({options.Conditions.Count} condition(s), modes {string.Join(", ", options.Modes)}) x {models.Pairs.Count} training seed(s) x {options.SamplingSeeds.Count} sampling seed(s) x {variants.Count} arm(s), {options.Steps} steps");
        using var encoder = new GroundTruthEncoder(models.Base);
        Stage(stages, log, "reference", () => { References(options, clips, shards, encoder, log, ct); return 0; });
        QualityGateResult? gate = null;
        if (options.GateSplit is { } gateSplit)
            gate = Stage(stages, log, "gate", () => Gate(options, gateSplit, models.Base, shards, encoder, log, ct));
        if (gate is { Passes: false } && !options.IgnoreGate && options.Splits.Any(StudyOptions.IsTestSplit))
            throw new StudyGateException($"quality gate not met on {options.GateSplit} ({Describe(gate)}): no test clip is sampled; improve the base, or pass --ignore-gate to sample anyway");
        Stage(stages, log, "sample", () => { Sample(options, models, clips, shards, encoder, runFolder, log, ct); return 0; });

        var eval = Stopwatch.StartNew();
        var result = StudyEvaluation.Evaluate(options, models, clips, shards, gate);
        stages.Add(new StageTiming("evaluate", eval.Elapsed.TotalSeconds));
        log.WriteLine($"study: evaluate done in {eval.Elapsed.TotalSeconds:F1} s");
        var heatmaps = StudyEvaluation.Heatmaps(options, models, clips, shards);
        return new StudyRun(result with { Stages = stages.ToArray() }, clips, (arm, unit) => ReadVideo(shards, models, clips, arm, unit), heatmaps);
    }

    /// <summary>One line on a gate result.</summary>
    public static string Describe(QualityGateResult g) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{g.Clips} clips: failure {g.FailureRate:0.000} (bar {g.Bar.MaxFailureRate}), M1c {g.M1c:0.000} vs constant velocity {g.ConstantVelocityM1c:0.000} on {g.M1cPairs} clips (ratio {g.M1cRatio:0.00}, bar {g.Bar.MaxM1cRatio}), M5 {g.SizeDrift:0.000} (bar {g.Bar.MaxSizeDrift}): {(g.Passes ? "met" : "NOT met")}");

    /// <summary>The noise seed of a clip under a sampling seed: identical for every arm, training seed and condition.</summary>
    public static long NoiseSeed(long samplingSeed, int clipIndex) => Continuations.ClipSeed(samplingSeed, clipIndex);

    /// <summary>Physics options of a mode (text-to-video gives no frame).</summary>
    public static PhysicsOptions PhysicsFor(StudyOptions o, string mode) =>
        new() { GivenFrames = GivenFrames(o, mode), BootstrapResamples = o.BootstrapResamples };

    /// <summary>Given frames of a mode.</summary>
    public static int GivenFrames(StudyOptions o, string mode) => mode == StudyModes.TextToVideo ? 0 : o.GivenFrames;

    // Reference rows per cell: the ground truth, its VAE round trip, copy-last and constant velocity, scored once per clip.
    private static void References(StudyOptions o, IReadOnlyList<StudyClip> clips, StudyShards shards, GroundTruthEncoder encoder, TextWriter log, CancellationToken ct,
        string arm = StudyShards.Reference)
    {
        foreach (var cell in clips.GroupBy(c => c.Cell))
        {
            var key = new StudyShardKey(arm, cell.Key, null);
            if (shards.Has(key)) continue;
            var rows = new Dictionary<string, List<ClipPhysicsResult>>();
            var motion = new List<MotionResult>();
            var videos = new List<(string, FrameStack)>();
            var physics = PhysicsFor(o, cell.Key.Mode);
            foreach (var c in cell)
            {
                ct.ThrowIfCancellationRequested();
                var rec = encoder.Reconstruction(c);
                videos.Add((c.Id, rec));
                foreach (var row in PhysicsBenchmark.EvaluateClips([new BenchmarkClip(c.Id, c.World)], new Dictionary<string, Func<BenchmarkClip, FrameStack>>(), physics, true, _ => rec))
                    (rows.TryGetValue(row.Method, out var l) ? l : rows[row.Method] = []).AddRange(row.Clips);
                foreach (var (name, video) in ReferenceMotionVideos(c, rec, GivenFrames(o, c.Mode)))
                    motion.Add(MotionMetrics.Evaluate($"{name}|{c.Id}", video, new MotionOptions()));
            }
            shards.Write(key, new StudyShard(rows.Select(kv => new RowClipResults(kv.Key, kv.Value)).ToArray(), motion, [], []), videos);
            log.WriteLine($"study: reference rows of {cell.Key.Mode}/{cell.Key.Condition}/{cell.Key.Split} ({cell.Count()} clips)");
        }
    }

    /// <summary>The reference videos scored by the motion metrics (copy-last and constant velocity only with given frames).</summary>
    public static IEnumerable<(string Name, FrameStack Video)> ReferenceMotionVideos(StudyClip c, FrameStack vaeReconstruction, int given)
    {
        yield return (ReferenceVideos.GroundTruthName, c.Render());
        yield return (ReferenceVideos.VaeName, vaeReconstruction);
        if (given >= 1) yield return (ReferenceVideos.CopyLastName, ReferenceVideos.CopyLastGiven(c.World, given));
        if (given >= 2) yield return (ReferenceVideos.ConstantVelocityName, ReferenceVideos.ConstantVelocity(c.World, given));
    }

    // The base model (no LoRA, no guidance) in continuation mode on the gate split, one sampling seed, pooled over conditions.
    private static QualityGateResult Gate(StudyOptions o, string split, string basePipeline, StudyShards shards, GroundTruthEncoder encoder, TextWriter log, CancellationToken ct)
    {
        var gateWorld = o with { WorldSeed = o.GateWorldSeed ?? o.WorldSeed, ClipsPerCoreScenario = o.GateClips ?? o.ClipsPerCoreScenario, ClipsPerExtendedScenario = 0 };
        var clips = StudyWorld.Generate(gateWorld, [split], [StudyModes.Continuation]);
        References(o, clips, shards, encoder, log, ct, StudyShards.GateReference);
        var physics = PhysicsFor(o, StudyModes.Continuation);
        CogVideoXPipeline? pipe = null;
        try
        {
            var evaluations = new List<PhysicsBenchmarkResult>();
            foreach (var cell in clips.GroupBy(c => c.Cell))
            {
                var key = new StudyShardKey(StudyShards.Gate, cell.Key, null);
                if (!shards.Has(key))
                {
                    pipe ??= SampleWorkflow.Load(new SampleOptions(basePipeline, ["-"], [0], ""));
                    var videos = new List<(string, FrameStack)>();
                    var seconds = new List<double>();
                    foreach (var c in cell)
                    {
                        ct.ThrowIfCancellationRequested();
                        var r = ContinuationSampler.Generate(pipe, c.World, encoder.Latents(c), null, NoiseSeed(o.SamplingSeeds[0], c.Index), o.Steps, o.Cfg, o.GivenFrames);
                        videos.Add((c.Id, r.Video));
                        seconds.Add(r.Seconds);
                    }
                    var byId = videos.ToDictionary(v => v.Item1, v => v.Item2);
                    var rows = PhysicsBenchmark.EvaluateClips(cell.Select(c => new BenchmarkClip(c.Id, c.World)).ToArray(),
                        new Dictionary<string, Func<BenchmarkClip, FrameStack>> { [StudyShards.Gate] = b => byId[b.Id] }, physics, references: false);
                    shards.Write(key, new StudyShard(rows, [], seconds, []), videos);
                    log.WriteLine($"study: gate samples of {cell.Key.Condition}/{cell.Key.Split} ({cell.Count()} clips)");
                }
                var gateRows = shards.Read(key).Rows;
                var reference = shards.Read(new StudyShardKey(StudyShards.GateReference, cell.Key, null)).Rows;
                evaluations.Add(PhysicsBenchmark.Summarise(physics, [.. gateRows, .. reference], gateRows.Count));
            }
            var result = QualityGate.Evaluate(evaluations, StudyShards.Gate);
            log.WriteLine($"study: quality gate on {split}: {Describe(result)}");
            return result;
        }
        finally
        {
            pipe?.Dispose();
        }
    }

    private static void Sample(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips, StudyShards shards, GroundTruthEncoder encoder,
        string runFolder, TextWriter log, CancellationToken ct)
    {
        var variants = o.VariantList();
        var cells = clips.GroupBy(c => c.Cell).ToArray();
        var heatArm = variants.FirstOrDefault(v => v.Guidance == VariantGuidance.MotionPrior);
        var heatCell = cells.FirstOrDefault(g => g.Key.Mode == StudyModes.Continuation)?.Key;
        var flowMo = o.FlowMo();
        foreach (var pair in models.Pairs)
            foreach (var kind in variants.Select(v => v.Lora).Distinct())
            {
                var todo = variants.Where(v => v.Lora == kind)
                    .SelectMany(v => cells.Select(g => (Arm: v, Cell: g))).Where(x => !shards.Has(Key(x.Arm, x.Cell.Key, pair))).ToArray();
                if (todo.Length == 0) continue;
                bool wan = StudyBackbone.IsWan(models.Base);
                var sampleOptions = new SampleOptions(models.Base, ["-"], [0], "", Lora: pair.Lora(kind));
                using var pipe = wan ? null : SampleWorkflow.Load(sampleOptions);
                using var wanPipe = wan ? WanSampling.Load(sampleOptions) : null;
                using var prior = todo.Any(x => x.Arm.Guidance == VariantGuidance.MotionPrior) ? MotionPriorFolder.Load(pair.LamoPredictor) : null;
                foreach (var (v, cell) in todo)
                {
                    var clock = Stopwatch.StartNew();
                    var videos = new List<(string, FrameStack)>();
                    var seconds = new List<double>();
                    var heatmaps = new List<StudyHeatmap>();
                    foreach (var c in cell)
                        foreach (var s in o.SamplingSeeds)
                        {
                            ct.ThrowIfCancellationRequested();
                            bool heat = prior is not null && v == heatArm && pair == models.Pairs[0] && cell.Key == heatCell && c == cell.First() && s == o.SamplingSeeds[0];
                            var gt = c.Mode == StudyModes.TextToVideo ? null : encoder.Latents(c);
                            var guidance = v.CreateGuidance(prior, o.Guidance, flowMo);
                            var r = wanPipe is not null
                                ? StudyBackbone.GenerateWan(wanPipe, c.World, gt, guidance, NoiseSeed(s, c.Index), o.Steps, o.Cfg, GivenFrames(o, c.Mode), ct)
                                : ContinuationSampler.Generate(pipe!, c.World, gt, guidance, NoiseSeed(s, c.Index), o.Steps, o.Cfg, GivenFrames(o, c.Mode), keepLatents: heat);
                            videos.Add((UnitId(c, pair.Seed, s), r.Video));
                            seconds.Add(r.Seconds);
                            if (r.Latents is { } lat)
                                using (lat) heatmaps.AddRange(StudyHeatmaps.Write(runFolder, pipe!, prior!, c, lat, gt!, r.Video, v.Name).Select(h => new StudyHeatmap(h.Path, h.Caption)));
                        }
                    var byId = videos.ToDictionary(x => x.Item1, x => x.Item2);
                    var clipOf = cell.ToDictionary(c => c.Id);
                    var bench = videos.Select(x => new BenchmarkClip(x.Item1, clipOf[ClipOf(x.Item1)].World)).ToArray();
                    var rows = PhysicsBenchmark.EvaluateClips(bench, new Dictionary<string, Func<BenchmarkClip, FrameStack>> { [v.Name] = b => byId[b.Id] },
                        PhysicsFor(o, cell.Key.Mode), references: false);
                    var motion = videos.Select(x => MotionMetrics.Evaluate(x.Item1, x.Item2, new MotionOptions())).ToArray();
                    shards.Write(Key(v, cell.Key, pair), new StudyShard(rows, motion, seconds, heatmaps), videos);
                    log.WriteLine($"study: {v.Name} (train seed {pair.Seed}) {cell.Key.Mode}/{cell.Key.Condition}/{cell.Key.Split}: {videos.Count} videos in {clock.Elapsed.TotalSeconds:F1} s");
                }
            }
    }

    /// <summary>Shard key of an arm in a cell under a training seed.</summary>
    public static StudyShardKey Key(StudyVariant v, StudyCell cell, FineTunePair pair) => new(v.Name, cell, pair.Seed);

    /// <summary>Unit id: <c>{clip}~t{train}~s{sample}</c>, the pairing key across arms.</summary>
    public static string UnitId(StudyClip c, int trainSeed, long samplingSeed) => $"{c.Id}~t{trainSeed}~s{samplingSeed}";

    /// <summary>The clip id of a unit id.</summary>
    public static string ClipOf(string unitId) => unitId[..unitId.IndexOf('~')];

    private static FrameStack ReadVideo(StudyShards shards, StudyModels models, IReadOnlyList<StudyClip> clips, string arm, string unit)
    {
        var clip = clips.First(c => c.Id == ClipOf(unit));
        int seed = int.Parse(unit[(unit.IndexOf("~t", StringComparison.Ordinal) + 2)..unit.LastIndexOf("~s", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        return shards.ReadVideos(new StudyShardKey(arm, clip.Cell, seed), id => id == unit)[unit];
    }

    private static T Stage<T>(List<StageTiming> stages, TextWriter log, string name, Func<T> run)
    {
        var sw = Stopwatch.StartNew();
        var r = run();
        stages.Add(new StageTiming(name, sw.Elapsed.TotalSeconds));
        log.WriteLine($"study: {name} done in {sw.Elapsed.TotalSeconds:F1} s");
        return r;
    }
}

/// <summary>Encodes ground-truth clips with the base VAE on first use (the base pipeline is loaded only when a shard needs it)
/// and keeps the latents for the rest of the run.</summary>
internal sealed class GroundTruthEncoder(string basePipeline) : IDisposable
{
    private CogVideoXPipeline? _pipe;
    private WanPipeline? _wan;
    private readonly Dictionary<string, Tensor> _latents = [];

    /// <summary>Clean latents of the clip [1, F', C, h, w] as the base pipeline's family stores them (CogVideoX: scaled;
    /// Wan: normalised per channel), owned by the encoder, for continuation.</summary>
    public Tensor Latents(StudyClip c)
    {
        if (_latents.TryGetValue(c.Id, out var t)) return t;
        if (StudyBackbone.IsWan(basePipeline))
        {
            _wan ??= PipelineFolder.LoadWan(basePipeline);
            return _latents[c.Id] = Continuations.Encode(_wan, FrameConversions.ToVideo(c.Render(), c.World.Render.Fps));
        }
        _pipe ??= PipelineFolder.Load(basePipeline);
        return _latents[c.Id] = ContinuationSampler.Encode(_pipe, c.Render());
    }

    /// <summary>The clip through the base pipeline's VAE (encode, decode), for either family.</summary>
    public FrameStack Reconstruction(StudyClip c)
    {
        if (StudyBackbone.IsWan(basePipeline))
        {
            _wan ??= PipelineFolder.LoadWan(basePipeline);
            return StudyBackbone.WanRoundTrip(_wan, c);
        }
        var lat = Latents(c);
        return ContinuationSampler.Decode(_pipe!, lat);
    }

    public void Dispose()
    {
        foreach (var t in _latents.Values) t.Dispose();
        _pipe?.Dispose();
        _wan?.Dispose();
    }
}
