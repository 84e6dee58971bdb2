using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Training;

namespace LaMo.Demo;

/// <summary>The options of each stage of the recipe, and the cards' <c>options</c> and <c>command</c> made from them.</summary>
public sealed partial record DemoRecipe
{
    /// <summary>The cards' stand-in for the models folder.</summary>
    public const string ModelsPlaceholder = "MODELS";

    /// <summary>The cards' stand-in for the scratch (work) folder.</summary>
    public const string WorkPlaceholder = "WORK";

    /// <summary>How cards are written: indented, with commands readable (<c>&amp;&amp;</c> not escaped).</summary>
    public static JsonSerializerOptions CardJson { get; } = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The VAE stage's training options (on 9-frame windows).</summary>
    public VaeTrainingOptions VaeOptions => new(VaeSteps, BatchSize: 4, LearningRate: 1e-3, WarmupSteps: 30, Seed: 0, CropFrames: 9, CheckpointEvery: 50);

    /// <summary>The base stage: the backbone trained in full from the initial pipeline <c>{work}/base0</c>.</summary>
    public BackboneTrainingOptions BaseOptions(string work) => Common(Path.Combine(work, "base0"), Path.Combine(work, "runs", "base"), work) with
    {
        Mode = "full", Steps = BaseSteps, LearningRate = 5e-4, WarmupSteps = 100, Seed = 0,
    };

    /// <summary>A fine-tune of <c>{models}/base</c> with LoRA, with (<paramref name="lamo"/>) or without LaMo; both for
    /// the same steps with the same settings otherwise.</summary>
    public BackboneTrainingOptions FineTuneOptions(string models, string work, int seed, bool lamo)
    {
        var o = Common(Path.Combine(models, "base"), Path.Combine(work, "runs", Experiment.StudyModels.FolderName(lamo, seed)), work) with
        {
            Mode = "lora", Steps = FineTuneSteps, LearningRate = 1e-3, WarmupSteps = 20, Seed = seed, DriftLoss = lamo, Predictor = lamo,
        };
        return lamo ? o with { PredictorConfig = "small", PredictorWarmupSteps = 20 } : o;
    }

    private BackboneTrainingOptions Common(string init, string output, string work) => new()
    {
        Cache = Path.Combine(work, "cache"), Out = output, Init = init, BatchSize = BatchSize, LogEvery = 10, CheckpointEvery = 50, Resume = true,
    };

    /// <summary>Each stage's card fields by card name: <c>options</c> (what the stage runs, folders as
    /// <see cref="ModelsPlaceholder"/>/<see cref="WorkPlaceholder"/>) and <c>command</c>, the exact <c>lamo</c> command
    /// line that gives these options; the VAE card adds <c>vae_options</c>.</summary>
    public IReadOnlyDictionary<string, JsonObject> Cards()
    {
        const string models = ModelsPlaceholder, work = WorkPlaceholder;
        string world = Path.Combine(work, "world"), vae = Path.Combine(work, "runs", "vae"), init = Path.Combine(work, "base0");
        var cards = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        (string, object?)[] worldFlags =
            [("out", world), ("scenarios", "all"), ("count", ClipsPerScenario), ("size", Size), ("frames", Frames), ("split", "train"), ("seed", WorldSeed)];
        cards["world"] = Fields(DemoCommands.Record(worldFlags), DemoCommands.Command("world generate", worldFlags));

        var v = VaeOptions;
        (string, object?)[] vaeFlags =
        [
            ("data", world), ("out", vae), ("steps", v.Steps), ("batch-size", v.BatchSize), ("learning-rate", v.LearningRate),
            ("warmup-steps", v.WarmupSteps), ("seed", v.Seed), ("crop-frames", v.CropFrames), ("checkpoint-every", v.CheckpointEvery),
            ("frames", Frames), ("size", Size), ("resume", true),
        ];
        cards["vae"] = Fields(DemoCommands.Record(vaeFlags), DemoCommands.Command("vae train", vaeFlags));
        cards["vae"]["vae_options"] = JsonSerializer.SerializeToNode(v);

        (string, object?)[] initFlags =
            [("out", init), ("vae", Path.Combine(vae, "vae")), ("transformer-config", "configs/demo/transformer/config.json"), ("seed", 0)];
        (string, object?)[] encodeFlags = [("data", world), ("pipeline", init), ("out", Path.Combine(work, "cache")), ("frames", Frames), ("size", Size)];
        cards["encode"] = Fields(new JsonObject { ["pipeline_init"] = DemoCommands.Record(initFlags), ["encode"] = DemoCommands.Record(encodeFlags) },
            $"{DemoCommands.Command("pipeline init", initFlags)} && {DemoCommands.Command("encode", encodeFlags)}");

        var baseOptions = BaseOptions(work);
        cards["base"] = Fields(JsonSerializer.SerializeToNode(baseOptions)!, DemoCommands.Train(baseOptions));
        foreach (int seed in Seeds)
            foreach (bool lamo in new[] { false, true })
            {
                var o = FineTuneOptions(models, work, seed, lamo);
                cards[Experiment.StudyModels.FolderName(lamo, seed)] = Fields(JsonSerializer.SerializeToNode(o)!, DemoCommands.Train(o));
            }
        return cards;
    }

    /// <summary>A card with the recipe's <c>options</c> (first) and <c>command</c> (before <c>seconds</c> and
    /// <c>machine</c>) from <paramref name="recipe"/>; every other field of <paramref name="card"/> (steps, losses, time)
    /// is kept in its order. Used when a stage finishes, and to refresh committed cards after the recipe's rendering changed.</summary>
    public static JsonObject WithRecipe(JsonObject card, JsonObject recipe)
    {
        string[] own = ["options", "vae_options", "command"], last = ["seconds", "machine"];
        var result = new JsonObject { ["options"] = recipe["options"]!.DeepClone() };
        if (recipe["vae_options"] is { } vaeOptions) result["vae_options"] = vaeOptions.DeepClone();
        foreach (var (key, value) in card)
            if (!own.Contains(key) && !last.Contains(key)) result[key] = value?.DeepClone();
        result["command"] = recipe["command"]!.DeepClone();
        foreach (var key in last)
            if (card[key] is { } value) result[key] = value.DeepClone();
        return result;
    }

    private static JsonObject Fields(JsonNode options, string command) => new() { ["options"] = options, ["command"] = command };
}
