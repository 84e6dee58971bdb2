using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Training;
using LaMo.Workflows;
using LaMo.World;

namespace LaMo.Demo;

/// <summary>The recorded recipe behind the shipped demo models (<c>./lamo demo --from-scratch</c>): generate the world,
/// train the VAE, assemble and pre-train a base backbone, then fine-tune that one base for the same steps with and
/// without LaMo (paper protocol) for several seeds, and train the guidance predictor. Every artefact gets a card
/// (command, seed, steps, data, time, final losses).</summary>
public sealed record DemoRecipe
{
    /// <summary>Clips per scenario family in the training world.</summary>
    public int ClipsPerScenario { get; init; } = 48;
    /// <summary>Frame size. 32 (the benchmark's quick size) keeps the whole recipe inside the CPU budget; the recipe and
    /// every command run unchanged at the benchmark's primary 64.</summary>
    public int Size { get; init; } = Experiment.StudyOptions.DefaultSize;
    /// <summary>Frames per clip.</summary>
    public int Frames { get; init; } = 17;
    /// <summary>VAE steps (on 9-frame windows).</summary>
    public int VaeSteps { get; init; } = 1500;
    /// <summary>Base backbone steps (from scratch).</summary>
    public int BaseSteps { get; init; } = 4000;
    /// <summary>Fine-tuning steps of each variant (equal for baseline and LaMo).</summary>
    public int FineTuneSteps { get; init; } = 500;
    /// <summary>Fine-tuning seeds (training seeds of the study).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2];
    /// <summary>Batch size of backbone training.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>World seed.</summary>
    public ulong WorldSeed { get; init; } = 2026;

    /// <summary>A miniature recipe for tests.</summary>
    public static DemoRecipe Miniature { get; } = new()
    {
        ClipsPerScenario = 2, Size = 32, Frames = 9, VaeSteps = 3, BaseSteps = 3, FineTuneSteps = 2, Seeds = [0], BatchSize = 2,
    };

    /// <summary>Runs every stage into <paramref name="modelsFolder"/> (scratch data under <paramref name="workFolder"/>).</summary>
    public void Run(string modelsFolder, string workFolder, TextWriter log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(modelsFolder);
        Directory.CreateDirectory(workFolder);
        string world = Path.Combine(workFolder, "world"), cache = Path.Combine(workFolder, "cache"), runs = Path.Combine(workFolder, "runs");
        var total = Stopwatch.StartNew();

        Stage(log, "world", () =>
        {
            var scenarios = Enum.GetValues<Scenario>();
            WorldDatasetWriter.Write(new WorldDatasetOptions(world, scenarios, ClipsPerScenario, SplitRanges.Standard("train"), WorldSeed, Size, Frames).Validate());
            return new JsonObject { ["clips"] = scenarios.Length * ClipsPerScenario };
        }, (modelsFolder, workFolder), "world", $"lamo world generate --scenarios all --count {ClipsPerScenario} --size {Size} --frames {Frames} --split train --seed {WorldSeed}");

        Stage(log, "vae", () =>
        {
            var o = new VaeTrainingOptions(VaeSteps, BatchSize: 4, LearningRate: 1e-3, WarmupSteps: 30, Seed: 0, CropFrames: 9, CheckpointEvery: 50);
            var (r, s) = VaeWorkflow.Train(world, Path.Combine(runs, "vae"), AutoencoderKLCogVideoXConfig.Tiny, o, new ClipReadOptions(Frames, Size, Size), resume: true, ct: ct);
            return Card(r, new JsonObject { ["scaling_factor"] = s });
        }, (modelsFolder, workFolder), "vae", $"lamo vae train --data WORLD --steps {VaeSteps} --batch-size 4 (crop 9 frames)");

        Stage(log, "encode", () =>
        {
            string init = Path.Combine(workFolder, "base0");
            PipelineInitWorkflow.Run(init, Path.Combine(runs, "vae", "vae"),
                CogVideoXTransformerConfig.Load(Path.Combine(RepoConfigs(), "demo", "transformer", "config.json")), seed: 0);
            var r = EncodeWorkflow.Run(world, init, cache, new ClipReadOptions(Frames, Size, Size), ct: ct);
            return new JsonObject { ["encoded"] = r.Encoded, ["skipped"] = r.Skipped.Count };
        }, (modelsFolder, workFolder), "encode", "lamo pipeline init --vae RUNS/vae/vae && lamo encode --data WORLD --pipeline BASE0");

        Stage(log, "base", () =>
        {
            var o = Options(Path.Combine(workFolder, "base0"), Path.Combine(runs, "base"), cache) with
            {
                Mode = "full", Steps = BaseSteps, LearningRate = 5e-4, WarmupSteps = 100, Seed = 0,
            };
            var r = BackboneWorkflow.Run(o, ct: ct);
            CopyFolder(Path.Combine(runs, "base", "pipeline"), Path.Combine(modelsFolder, "base"));
            return Card(r, new JsonObject { ["options"] = JsonSerializer.SerializeToNode(o) });
        }, (modelsFolder, workFolder), "base", $"lamo train --init BASE0 --set mode=full --set steps={BaseSteps} --set learning_rate=5e-4");

        foreach (int seed in Seeds)
            foreach (bool lamo in new[] { false, true })
            {
                string name = $"ft-{(lamo ? "lamo" : "baseline")}-s{seed}";
                Stage(log, name, () =>
                {
                    var o = Options(Path.Combine(modelsFolder, "base"), Path.Combine(runs, name), cache) with
                    {
                        Mode = "lora", Steps = FineTuneSteps, LearningRate = 1e-3, WarmupSteps = 20, Seed = seed,
                        DriftLoss = lamo, Predictor = lamo, PredictorConfig = lamo ? "small" : null, PredictorWarmupSteps = lamo ? 20 : null,
                    };
                    var r = BackboneWorkflow.Run(o, ct: ct);
                    CopyFolder(Path.Combine(runs, name, "lora"), Path.Combine(modelsFolder, name));
                    if (lamo) CopyFolder(Path.Combine(runs, name, "predictor"), Path.Combine(modelsFolder, name, "predictor"));
                    return Card(r, new JsonObject { ["options"] = JsonSerializer.SerializeToNode(o) });
                }, (modelsFolder, workFolder), name, $"lamo train --init models/demo/base --set mode=lora --set steps={FineTuneSteps} --set seed={seed}{(lamo ? " --drift-loss --predictor" : "")}");
            }
        log.WriteLine($"demo recipe: done in {total.Elapsed.TotalMinutes:F1} min");
    }

    private BackboneTrainingOptions Options(string init, string output, string cache) => new()
    {
        Cache = cache, Out = output, Init = init, BatchSize = BatchSize, LogEvery = 10, CheckpointEvery = 50, Resume = true,
    };

    private static JsonObject Card(TrainingResult r, JsonObject extra)
    {
        extra["steps"] = r.FinalStep;
        extra["skipped_steps"] = r.SkippedSteps;
        if (r.History.Count > 0)
        {
            var tail = r.History.Skip(Math.Max(0, r.History.Count - 20)).ToList();
            var final = new JsonObject();
            foreach (var key in tail[^1].Metrics.Keys.Where(k => !k.StartsWith("lr_", StringComparison.Ordinal) && !k.StartsWith("grad_", StringComparison.Ordinal)))
                final[key] = tail.Average(h => h.Metrics.TryGetValue(key, out var v) ? v : 0);
            extra["final_losses_mean_last_20"] = final;
        }
        return extra;
    }

    // A stage whose card exists is complete (cards are written last, atomically): an interrupted recipe re-run with
    // the same folders continues at the first unfinished stage, and training stages resume from their checkpoints.
    private static void Stage(TextWriter log, string name, Func<JsonObject> run, (string Models, string Work) folders, string cardName, string command)
    {
        string modelsFolder = folders.Models;
        if (File.Exists(Path.Combine(modelsFolder, "cards", cardName + ".json")))
        {
            log.WriteLine($"demo recipe: {name} already done (card exists)");
            return;
        }
        log.WriteLine($"demo recipe: {name} ...");
        var sw = Stopwatch.StartNew();
        var card = run();
        if (card["options"] is JsonObject options) WithPlaceholders(options, folders);
        card["command"] = command;
        card["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 1);
        card["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        Directory.CreateDirectory(Path.Combine(modelsFolder, "cards"));
        AtomicFile.WriteAllText(Path.Combine(modelsFolder, "cards", cardName + ".json"), card.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        log.WriteLine($"demo recipe: {name} done in {sw.Elapsed.TotalSeconds:F0} s");
    }

    // Cards are committed with the models: the folders of the machine that made them become MODELS/ and WORK/, as in the
    // cards' commands.
    private static void WithPlaceholders(JsonObject options, (string Models, string Work) folders)
    {
        foreach (var (key, value) in options.ToList())
            if (value is JsonValue v && v.TryGetValue(out string? path) && Path.IsPathRooted(path))
                options[key] = Placeholder(path, folders.Models, "MODELS") ?? Placeholder(path, folders.Work, "WORK") ?? Path.GetFileName(path);
    }

    private static string? Placeholder(string path, string folder, string name)
    {
        string rel = Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path));
        return rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? null : rel == "." ? name : $"{name}/{rel}";
    }

    /// <summary>The repository's configs/ folder (walking up from the binary).</summary>
    public static string RepoConfigs()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "configs", "demo"))) return Path.Combine(d.FullName, "configs");
        return Path.Combine(Directory.GetCurrentDirectory(), "configs");
    }

    private static void CopyFolder(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, true);
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, true);
        }
    }
}
