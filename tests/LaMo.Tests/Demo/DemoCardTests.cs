using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Cli;
using LaMo.Cli.Commands;
using LaMo.Demo;
using LaMo.Tests.Experiment;
using LaMo.Training;
using Xunit;

namespace LaMo.Tests.Demo;

/// <summary>The recipe's cards are committed with the shipped models: they name folders by placeholder, never by a path of
/// the machine that made them, and each card's command is the exact command: parsed by the CLI it gives the options
/// the card records.</summary>
public sealed class DemoCardTests
{
    [Fact]
    public void RecipeCards_HoldNoMachinePaths_AndNamePlaceholders()
    {
        var cards = Directory.GetFiles(Path.Combine(MiniatureModels.Folder, "cards"), "*.json");
        Assert.NotEmpty(cards);
        string root = Path.GetDirectoryName(MiniatureModels.Folder)!;
        foreach (var card in cards)
            Assert.DoesNotContain(root, File.ReadAllText(card));
        Assert.Contains("\"WORK/cache\"", File.ReadAllText(cards.Single(c => Path.GetFileName(c) == "base.json")));
    }

    [Fact]
    public void RecipeArtifacts_CacheAndRunJson_HoldNoAbsolutePaths()
    {
        string work = Path.GetDirectoryName(MiniatureModels.Cache)!;
        var files = Directory.GetFiles(Path.Combine(work, "runs"), "run.json", SearchOption.AllDirectories).Append(Path.Combine(MiniatureModels.Cache, "cache.json")).ToList();
        Assert.True(files.Count >= 4, string.Join(", ", files));
        foreach (var f in files) PortablePaths.AssertNoAbsolutePath(f, Path.GetDirectoryName(work)!);
    }

    [Fact]
    public void ShippedCards_HoldNoAbsolutePaths()
    {
        foreach (var card in Directory.GetFiles(RelyKit.Repo("models/demo/cards"), "*.json"))
            Assert.DoesNotMatch("\"/[A-Za-z]", File.ReadAllText(card));
    }

    [Fact]
    public void ShippedCards_AreTheRecipesCards()
    {
        var recipe = new DemoRecipe().Cards();
        var shipped = Directory.GetFiles(RelyKit.Repo("models/demo/cards"), "*.json");
        Assert.Equal(recipe.Keys.Order(), shipped.Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var file in shipped)
        {
            var card = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var expected = recipe[Path.GetFileNameWithoutExtension(file)];
            foreach (var key in new[] { "options", "vae_options", "command" })
                Assert.True(JsonNode.DeepEquals(expected[key], card[key]), $"{file}: {key} is not the recipe's (refresh with DemoRecipe.WithRecipe)");
        }
    }

    [Fact]
    public void ShippedCardCommands_ParseToTheRecordedOptions() => AssertCommandsMatch(RelyKit.Repo("models/demo/cards"));

    [Fact]
    public void RecipeCardCommands_ParseToTheRecordedOptions() => AssertCommandsMatch(Path.Combine(MiniatureModels.Folder, "cards"));

    private static void AssertCommandsMatch(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.json"))
        {
            var card = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            string[] commands = ((string)card["command"]!).Split(" && ");
            var options = card["options"]!.AsObject();
            if (Path.GetFileName(file) == "encode.json")
            {
                Assert.Equal(2, commands.Length);
                AssertFlags(Parse(commands[0], "pipeline init"), options["pipeline_init"]!.AsObject(), file);
                AssertFlags(Parse(commands[1], "encode"), options["encode"]!.AsObject(), file);
                continue;
            }
            Assert.Single(commands);
            if (commands[0].StartsWith("lamo train ", StringComparison.Ordinal))
                Assert.Equal(options.Deserialize<BackboneTrainingOptions>(), TrainOptions(Parse(commands[0], "train")));
            else if (commands[0].StartsWith("lamo vae train ", StringComparison.Ordinal))
            {
                var p = Parse(commands[0], "vae train");
                AssertFlags(p, options, file);
                var parsed = new VaeTrainingOptions(p.GetValue<int>("--steps"), p.GetValue<int>("--batch-size"), p.GetValue<double>("--learning-rate"),
                    WarmupSteps: p.GetValue<int>("--warmup-steps"), Seed: p.GetValue<int>("--seed"), CropFrames: p.GetValue<int>("--crop-frames"),
                    CheckpointEvery: p.GetValue<int>("--checkpoint-every"));
                Assert.Equal(card["vae_options"].Deserialize<VaeTrainingOptions>(), parsed);
            }
            else AssertFlags(Parse(commands[0], "world generate"), options, file);
        }
    }

    private static ParseResult Parse(string command, string verb)
    {
        var args = Words(command);
        Assert.Equal(["lamo", .. verb.Split(' ')], args.Take(1 + verb.Split(' ').Length));
        var p = CliApp.BuildRoot().Parse(args[1..]);
        Assert.True(p.Errors.Count == 0, $"{command}: {string.Join("; ", p.Errors.Select(e => e.Message))}");
        return p;
    }

    // As lamo train builds them (WorkflowCommands.Train): its flags, then --config and --set through CliSupport.BuildOptions.
    private static BackboneTrainingOptions TrainOptions(ParseResult p)
    {
        var explicitValues = new Dictionary<string, JsonNode?>
        {
            ["cache"] = p.GetValue<string?>("--cache"), ["out"] = p.GetValue<string?>("--out"), ["init"] = p.GetValue<string?>("--init"),
            ["drift_loss"] = p.GetValue<bool>("--drift-loss") ? true : null, ["predictor"] = p.GetValue<bool>("--predictor") ? true : null,
            ["resume"] = p.GetValue<bool>("--resume") ? true : null,
        };
        return CliSupport.BuildOptions<BackboneTrainingOptions>(p.GetValue<string?>("--config"), explicitValues, p.GetValue<string[]>("--set") ?? []).Validate();
    }

    // Every option given on the command line is recorded with the same value, and every recorded one is given.
    private static void AssertFlags(ParseResult p, JsonObject recorded, string file)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in p.CommandResult.Command.Options)
            if (p.GetResult(option) is OptionResult { Implicit: false } r)
                given[option.Name.TrimStart('-')] = r.Tokens.Count == 0 ? "true" : string.Join(' ', r.Tokens.Select(t => t.Value));
        var expected = recorded.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue(out string? s) ? s : kv.Value!.ToJsonString());
        Assert.True(expected.OrderBy(kv => kv.Key).SequenceEqual(given.OrderBy(kv => kv.Key)),
            $"{file}: recorded {JsonSerializer.Serialize(expected)}, command gives {JsonSerializer.Serialize(given)}");
    }

    // POSIX-shell words: spaces split, single quotes group.
    private static string[] Words(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in command)
        {
            if (c == '\'') { quoted = !quoted; any = true; }
            else if (c == ' ' && !quoted) { if (any) words.Add(word.ToString()); word.Clear(); any = false; }
            else { word.Append(c); any = true; }
        }
        if (any) words.Add(word.ToString());
        return [.. words];
    }
}
