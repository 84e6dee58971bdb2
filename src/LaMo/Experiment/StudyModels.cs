using System.Diagnostics;
using System.Text.RegularExpressions;
using LaMo.Data;
using LaMo.Training;
using LaMo.Workflows;
using LaMo.World;

namespace LaMo.Experiment;

/// <summary>The two fine-tunes of one training seed, both from the same base for the same steps (paper protocol).</summary>
/// <param name="Seed">Training seed.</param>
/// <param name="BaselineLora">ft-baseline LoRA file (no LaMo).</param>
/// <param name="LamoLora">ft-lamo LoRA file (Motion Drift Loss).</param>
/// <param name="LamoPredictor">Predictor folder trained jointly with ft-lamo.</param>
/// <param name="DriftNoiseFloorLora">ft-drift-nf LoRA file (drift loss with the noise-floor denominator), when the study has that arm.</param>
public sealed record FineTunePair(int Seed, string BaselineLora, string LamoLora, string LamoPredictor, string? DriftNoiseFloorLora = null)
{
    /// <summary>The LoRA file an arm samples with.</summary>
    /// <exception cref="InvalidOperationException">The +drift-nf arm without its fine-tune.</exception>
    public string Lora(VariantLora kind) => kind switch
    {
        VariantLora.Baseline => BaselineLora,
        VariantLora.Drift => LamoLora,
        _ => DriftNoiseFloorLora ?? throw new InvalidOperationException($"training seed {Seed} has no ft-drift-nf fine-tune"),
    };
}

/// <summary>The models of a study: one base pipeline and its fine-tune pairs.</summary>
/// <param name="Base">Base pipeline folder (diffusers layout).</param>
/// <param name="Pairs">Fine-tune pairs by training seed.</param>
/// <param name="Trained">True when the pairs were trained by this run (<see cref="Train"/>).</param>
public sealed record StudyModels(string Base, IReadOnlyList<FineTunePair> Pairs, bool Trained = false)
{
    /// <summary>Name of a fine-tune folder inside a models folder (the demo recipe's layout).</summary>
    public static string FolderName(bool lamo, int seed) => $"ft-{(lamo ? "lamo" : "baseline")}-s{seed}";

    /// <summary>Name of the fine-tune folder of <paramref name="kind"/> (ft-baseline, ft-lamo, ft-drift-nf).</summary>
    public static string FolderName(VariantLora kind, int seed) => kind == VariantLora.DriftNoiseFloor ? $"ft-drift-nf-s{seed}" : FolderName(kind == VariantLora.Drift, seed);

    /// <summary>Finds <c>base/</c> and every seed with both <c>ft-baseline-s{n}</c> and <c>ft-lamo-s{n}</c> (with its
    /// predictor) in <paramref name="modelsFolder"/>; <paramref name="seeds"/> restricts (and requires) the seeds.</summary>
    /// <exception cref="FileNotFoundException">No base, no complete pair, or a requested seed is missing (names the path).</exception>
    /// <param name="driftNoiseFloor">Also require <c>ft-drift-nf-s{n}</c> (the +drift-nf arm).</param>
    public static StudyModels Discover(string modelsFolder, IReadOnlyList<int>? seeds = null, bool driftNoiseFloor = false)
    {
        string baseDir = Path.Combine(modelsFolder, "base");
        if (!Directory.Exists(Path.Combine(baseDir, "transformer")))
            throw new FileNotFoundException($"{baseDir}: no base pipeline (expected the layout of DemoRecipe: base/, ft-baseline-s*/, ft-lamo-s*/)", baseDir);
        var found = Directory.Exists(modelsFolder)
            ? Directory.GetDirectories(modelsFolder, "ft-baseline-s*").Select(d => Regex.Match(Path.GetFileName(d), @"^ft-baseline-s(\d+)$"))
                .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList()
            : [];
        var wanted = seeds ?? found;
        var pairs = new List<FineTunePair>();
        foreach (int s in wanted)
        {
            var pair = Pair(modelsFolder, s, driftNoiseFloor);
            string? missing = new[] { pair.BaselineLora, pair.LamoLora, Path.Combine(pair.LamoPredictor, "model.safetensors"), pair.DriftNoiseFloorLora }
                .FirstOrDefault(p => p is not null && !File.Exists(p));
            if (missing is null) pairs.Add(pair);
            else if (seeds is not null) throw new FileNotFoundException($"{missing}: missing for training seed {s}", missing);
        }
        if (pairs.Count == 0) throw new FileNotFoundException($"{modelsFolder}: no complete ft-baseline-s<n> / ft-lamo-s<n> pair (with predictor/)");
        return new StudyModels(baseDir, pairs);
    }

    private static FineTunePair Pair(string root, int s, bool driftNoiseFloor) => new(s,
        Path.Combine(root, FolderName(false, s), "pytorch_lora_weights.safetensors"),
        Path.Combine(root, FolderName(true, s), "pytorch_lora_weights.safetensors"),
        Path.Combine(root, FolderName(true, s), "predictor"),
        driftNoiseFloor ? Path.Combine(root, FolderName(VariantLora.DriftNoiseFloor, s), "pytorch_lora_weights.safetensors") : null);

    /// <summary>Fresh fine-tunes of <paramref name="baseFolder"/> for each seed, with and without LaMo, for the same
    /// <paramref name="steps"/> and otherwise the settings of the demo recipe, into
    /// <c>{work}/ft-*-s{n}</c>. Without <paramref name="cache"/>, a train-split world is generated and encoded with the
    /// base pipeline first.</summary>
    public static StudyModels Train(string baseFolder, string work, IReadOnlyList<int> seeds, int steps, string? cache,
        FineTuneSettings settings, TextWriter log, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (seeds.Count == 0) throw new ArgumentException("give at least one training seed", nameof(seeds));
        Directory.CreateDirectory(work);
        if (cache is null)
        {
            string world = Path.Combine(work, "train-world");
            cache = Path.Combine(work, "cache");
            if (!File.Exists(Path.Combine(cache, "cache.json")))
            {
                log.WriteLine($"study: train world ({settings.TrainClipsPerScenario} clips per scenario) and latent cache ...");
                WorldDatasetWriter.Write(new WorldDatasetOptions(world, Enum.GetValues<Scenario>(), settings.TrainClipsPerScenario,
                    SplitRanges.Standard("train"), settings.WorldSeed, settings.Size, settings.Frames).Validate());
                EncodeWorkflow.Run(world, baseFolder, cache, new ClipReadOptions(settings.Frames, settings.Size, settings.Size), ct: ct);
            }
        }
        var pairs = new List<FineTunePair>();
        foreach (int seed in seeds)
        {
            var kinds = settings.DriftNoiseFloor ? new[] { VariantLora.Baseline, VariantLora.Drift, VariantLora.DriftNoiseFloor } : [VariantLora.Baseline, VariantLora.Drift];
            foreach (var kind in kinds)
            {
                bool lamo = kind != VariantLora.Baseline;
                string name = FolderName(kind, seed), run = Path.Combine(work, "runs", name);
                var sw = Stopwatch.StartNew();
                var o = new BackboneTrainingOptions
                {
                    // Resume: a re-run of the study continues (or finds finished) its fine-tunes instead of mixing new runs in.
                    Cache = cache, Out = run, Init = baseFolder, BatchSize = settings.BatchSize, LogEvery = 10, CheckpointEvery = Math.Max(steps, 100), Resume = true,
                    Mode = "lora", Steps = steps, LearningRate = settings.LearningRate, WarmupSteps = Math.Min(20, Math.Max(0, steps / 2)), Seed = seed,
                    DriftLoss = lamo, Predictor = lamo,
                };
                // The LaMo run's own settings; the baseline leaves them out (they would be refused while off).
                if (lamo) o = o with { PredictorConfig = settings.PredictorConfig, PredictorWarmupSteps = Math.Min(20, Math.Max(0, steps / 2)), DriftLambda = settings.DriftLambda };
                if (kind == VariantLora.DriftNoiseFloor)
                    o = o with { DriftLambda = settings.DriftNoiseFloorLambda ?? settings.DriftLambda, DriftDenominator = "noise_floor", DriftNoiseFloorKappa = settings.DriftNoiseFloorKappa };
                BackboneWorkflow.Run(o, ct: ct);
                string dest = Path.Combine(work, name);
                Directory.CreateDirectory(dest);
                File.Copy(Path.Combine(run, "lora", "pytorch_lora_weights.safetensors"), Path.Combine(dest, "pytorch_lora_weights.safetensors"), true);
                if (kind == VariantLora.Drift)
                {
                    Directory.CreateDirectory(Path.Combine(dest, "predictor"));
                    foreach (var f in Directory.GetFiles(Path.Combine(run, "predictor"))) File.Copy(f, Path.Combine(dest, "predictor", Path.GetFileName(f)), true);
                }
                log.WriteLine($"study: trained {name} ({steps} steps) in {sw.Elapsed.TotalSeconds:F0} s");
            }
            pairs.Add(Pair(work, seed, settings.DriftNoiseFloor));
        }
        return new StudyModels(baseFolder, pairs, Trained: true);
    }
}

/// <summary>Settings of fresh fine-tunes (<see cref="StudyModels.Train"/>); defaults are the demo recipe's.</summary>
/// <param name="Size">Frame size of the train world.</param>
/// <param name="Frames">Frames of the train world.</param>
/// <param name="TrainClipsPerScenario">Train-world clips per scenario (when no cache is given).</param>
/// <param name="WorldSeed">Train-world seed.</param>
/// <param name="BatchSize">Clips per step.</param>
/// <param name="LearningRate">LoRA learning rate.</param>
/// <param name="PredictorConfig">Predictor preset of ft-lamo.</param>
/// <param name="DriftLambda">Drift-loss weight λ of ft-lamo (null: the published default; see docs/results/drift-lambda-ablation.md).</param>
/// <param name="DriftNoiseFloor">Also train ft-drift-nf (the +drift-nf arm): ft-lamo's recipe with the noise-floor denominator.</param>
/// <param name="DriftNoiseFloorLambda">λ of ft-drift-nf (null: <paramref name="DriftLambda"/>).</param>
/// <param name="DriftNoiseFloorKappa">κ of the noise-floor denominator (null: its default).</param>
/// <param name="Steps">Fine-tune steps (recorded for the resume check; <see cref="StudyModels.Train"/> takes them as an argument).</param>
public sealed record FineTuneSettings(int Size = 64, int Frames = 17, int TrainClipsPerScenario = 48, ulong WorldSeed = 2026,
    int BatchSize = 8, double LearningRate = 1e-3, string PredictorConfig = "small", double? DriftLambda = null,
    bool DriftNoiseFloor = false, double? DriftNoiseFloorLambda = null, double? DriftNoiseFloorKappa = null, int Steps = 0);
