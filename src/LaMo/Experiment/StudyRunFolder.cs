using System.Globalization;
using System.Text.Json.Nodes;
using LaMo.Core;

namespace LaMo.Experiment;

/// <summary>The run folder of <c>lamo experiment</c> (and <c>lamo demo</c>): claimed before any work, so a second run
/// never mixes its fine-tunes, videos and report into an earlier one's. The claim writes <see cref="Marker"/> at once,
/// so <c>--overwrite</c> also recognises (and replaces) a run that was interrupted before its report. A run started with a
/// plan (its options) can be continued with <c>--resume</c>, which checks that the plan is the same.</summary>
public static class StudyRunFolder
{
    /// <summary>Written when a run starts: marks the folder as a study run folder (and holds the plan of a resumable run).</summary>
    public const string Marker = "experiment.json";

    /// <summary>Claims <paramref name="folder"/> (<see cref="OutputFolder.Claim"/>) and writes the marker.</summary>
    /// <param name="folder">Run folder.</param>
    /// <param name="command">The command, for messages and the marker (<c>experiment</c>, <c>demo</c>).</param>
    /// <param name="overwrite">Replace an earlier run of a study command.</param>
    /// <param name="plan">What defines the run (options, fine-tune settings, models); a resumed run must have the same.</param>
    /// <exception cref="OutputExistsException">The folder holds something and may not be replaced.</exception>
    public static void Claim(string folder, string command, bool overwrite, JsonObject? plan = null)
    {
        OutputFolder.Claim(folder, Marker, command, overwrite);
        Directory.CreateDirectory(folder);
        var marker = new JsonObject { ["command"] = command, ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) };
        if (plan is not null) marker["plan"] = plan.DeepClone();
        AtomicFile.WriteAllText(Path.Combine(folder, Marker), marker.ToJsonString() + "\n");
    }

    /// <summary>Continues the run in <paramref name="folder"/> (as <c>lamo train --resume</c>: a missing or empty folder
    /// starts a new run). The saved plan must equal <paramref name="plan"/>.</summary>
    /// <exception cref="OutputExistsException">The folder holds something that is not a study run.</exception>
    /// <exception cref="ArgumentException">The run's plan differs (names the first differing option, with both values).</exception>
    public static void Resume(string folder, string command, JsonObject plan)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Claim(folder, command, false, plan);
            return;
        }
        string marker = Path.Combine(folder, Marker);
        if (!File.Exists(marker))
            throw new OutputExistsException($"{folder} is not empty and holds no {command} run ({Marker}): --resume continues a run of {command} only; choose an empty or new folder");
        var saved = JsonNode.Parse(File.ReadAllText(marker))?["plan"] as JsonObject
            ?? throw new ArgumentException($"{folder}: the run has no saved plan (started before runs were resumable); start a new run with --overwrite");
        if (Difference(saved, plan) is { } d)
            throw new ArgumentException($"--resume: option '{d.Name}' differs from the run in {folder} (run: {d.Saved}, now: {d.Now}); give the run's options, or start a new run with --overwrite");
    }

    /// <summary>The first field whose value differs between two plans (depth-first, named by its path), or null.</summary>
    public static (string Name, string Saved, string Now)? Difference(JsonNode? saved, JsonNode? now, string path = "")
    {
        if (saved is JsonObject a && now is JsonObject b)
        {
            foreach (var key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)))
                if (Difference(a[key], b[key], key) is { } d) return d;
            return null;
        }
        string x = saved?.ToJsonString() ?? "null", y = now?.ToJsonString() ?? "null";
        return x == y ? null : (path, x, y);
    }
}
