using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Training;

namespace LaMo.Demo;

/// <summary>The exact <c>lamo</c> commands of the demo recipe's stages, rendered from the very options each stage runs,
/// so a card's command reproduces its run (folders as the cards' <c>MODELS/</c> and <c>WORK/</c> placeholders).</summary>
public static class DemoCommands
{
    // lamo train's own flags; every other key goes through --set.
    private static readonly string[] TrainFlags = ["cache", "out", "init"];
    private static readonly string[] TrainSwitches = ["drift_loss", "predictor", "resume"];

    /// <summary><c>lamo train --cache … --out … [--init …] [--drift-loss] [--predictor] [--resume] --set key=value …</c>
    /// with a <c>--set</c> for every key whose value differs from <see cref="BackboneTrainingOptions"/>' default.</summary>
    public static string Train(BackboneTrainingOptions o)
    {
        var given = (JsonObject)JsonSerializer.SerializeToNode(o)!;
        var defaults = (JsonObject)JsonSerializer.SerializeToNode(new BackboneTrainingOptions { Cache = "", Out = "" })!;
        var args = new List<string> { "lamo", "train" };
        foreach (var key in TrainFlags)
            if (given[key] is JsonValue v && v.TryGetValue(out string? path)) args.AddRange([Flag(key), Quote(path)]);
        foreach (var key in TrainSwitches)
            if (given[key] is JsonValue v && v.TryGetValue(out bool on) && on) args.Add(Flag(key));
        foreach (var (key, value) in given)
        {
            if (TrainFlags.Contains(key) || TrainSwitches.Contains(key) || JsonNode.DeepEquals(value, defaults[key])) continue;
            string text = value is JsonValue s && s.TryGetValue(out string? word) ? word : value?.ToJsonString() ?? "null";
            args.AddRange(["--set", Quote($"{key}={text}")]);
        }
        return string.Join(' ', args);
    }

    /// <summary><c>lamo VERB --flag value …</c> over <paramref name="options"/> in order: a true boolean is a bare flag,
    /// false and null are left out, numbers are written invariantly.</summary>
    /// <param name="verb">Command words, e.g. <c>vae train</c>.</param>
    /// <param name="options">Flag names without dashes (<c>batch-size</c>) and values.</param>
    public static string Command(string verb, IEnumerable<(string Flag, object? Value)> options)
    {
        var args = new List<string> { "lamo", verb };
        foreach (var (flag, value) in options)
            switch (value)
            {
                case null or false: break;
                case true: args.Add("--" + flag); break;
                case IFormattable f: args.AddRange(["--" + flag, f.ToString(null, CultureInfo.InvariantCulture)]); break;
                default: args.AddRange(["--" + flag, Quote(value.ToString()!)]); break;
            }
        return string.Join(' ', args);
    }

    /// <summary>The options of <see cref="Command"/> as a card's JSON record (flag names as keys).</summary>
    public static JsonObject Record(IEnumerable<(string Flag, object? Value)> options)
    {
        var record = new JsonObject();
        foreach (var (flag, value) in options) record[flag] = JsonSerializer.SerializeToNode(value);
        return record;
    }

    private static string Flag(string key) => "--" + key.Replace('_', '-');

    // Single-quoted for a POSIX shell when the word would be split or expanded.
    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:+".Contains(c)) ? word : $"'{word.Replace("'", "'\\''")}'";
}
