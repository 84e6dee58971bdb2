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
public sealed partial record DemoRecipe
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

    /// <summary>Runs every stage into <paramref name="modelsFolder"/> (scratch data under <paramref name="workFolder"/>).
    /// Each card's <c>options</c> and <c>command</c> come from the options the stage runs (<see cref="Cards"/>).</summary>
    public void Run(string modelsFolder, string workFolder, TextWriter log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(modelsFolder);
        Directory.CreateDirectory(workFolder);
        var (models, work) = (modelsFolder, workFolder);
        string world = Path.Combine(work, "world"), cache = Path.Combine(work, "cache"), runs = Path.Combine(work, "runs");
        var cards = Cards();
        var total = Stopwatch.StartNew();

        Stage(log, "world", models, cards["world"], () =>
        {
            var scenarios = Enum.GetValues<Scenario>();
            WorldDatasetWriter.Write(new WorldDatasetOptions(world, scenarios, ClipsPerScenario, SplitRanges.Standard("train"), WorldSeed, Size, Frames).Validate());
            return new JsonObject { ["clips"] = scenarios.Length * ClipsPerScenario };
        });

        Stage(log, "vae", models, cards["vae"], () =>
        {
            var (r, s) = VaeWorkflow.Train(world, Path.Combine(runs, "vae"), AutoencoderKLCogVideoXConfig.Tiny, VaeOptions, new ClipReadOptions(Frames, Size, Size), resume: true, ct: ct);
            return Card(r, new JsonObject { ["scaling_factor"] = s });
        });

        Stage(log, "encode", models, cards["encode"], () =>
        {
            string init = Path.Combine(work, "base0");
            PipelineInitWorkflow.Run(init, Path.Combine(runs, "vae", "vae"),
                CogVideoXTransformerConfig.Load(Path.Combine(RepoConfigs(), "demo", "transformer", "config.json")), seed: 0);
            var r = EncodeWorkflow.Run(world, init, cache, new ClipReadOptions(Frames, Size, Size), ct: ct);
            return new JsonObject { ["encoded"] = r.Encoded, ["skipped"] = r.Skipped.Count };
        });

        Stage(log, "base", models, cards["base"], () =>
        {
            var r = BackboneWorkflow.Run(BaseOptions(work), ct: ct);
            CopyFolder(Path.Combine(runs, "base", "pipeline"), Path.Combine(models, "base"));
            return Card(r, []);
        });

        foreach (int seed in Seeds)
            foreach (bool lamo in new[] { false, true })
            {
                string name = Experiment.StudyModels.FolderName(lamo, seed);
                Stage(log, name, models, cards[name], () =>
                {
                    var r = BackboneWorkflow.Run(FineTuneOptions(models, work, seed, lamo), ct: ct);
                    CopyFolder(Path.Combine(runs, name, "lora"), Path.Combine(models, name));
                    if (lamo) CopyFolder(Path.Combine(runs, name, "predictor"), Path.Combine(models, name, "predictor"));
                    return Card(r, []);
                });
            }
        log.WriteLine($"demo recipe: done in {total.Elapsed.TotalMinutes:F1} min");
    }

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
    private static void Stage(TextWriter log, string name, string modelsFolder, JsonObject recipe, Func<JsonObject> run)
    {
        string path = Path.Combine(modelsFolder, "cards", name + ".json");
        if (File.Exists(path))
        {
            log.WriteLine($"demo recipe: {name} already done (card exists)");
            return;
        }
        log.WriteLine($"demo recipe: {name} ...");
        var sw = Stopwatch.StartNew();
        var card = WithRecipe(run(), recipe);
        card["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 1);
        card["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        Directory.CreateDirectory(Path.Combine(modelsFolder, "cards"));
        AtomicFile.WriteAllText(path, card.ToJsonString(CardJson));
        log.WriteLine($"demo recipe: {name} done in {sw.Elapsed.TotalSeconds:F0} s");
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
