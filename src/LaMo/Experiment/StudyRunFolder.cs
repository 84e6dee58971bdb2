using System.Globalization;
using System.Text.Json.Nodes;
using LaMo.Core;

namespace LaMo.Experiment;

/// <summary>The run folder of <c>lamo experiment</c> (and <c>lamo demo</c>): claimed before any work, so a second run
/// never mixes its fine-tunes, videos and report into an earlier one's. The claim writes <see cref="Marker"/> at once,
/// so <c>--overwrite</c> also recognises (and replaces) a run that was interrupted before its report.</summary>
public static class StudyRunFolder
{
    /// <summary>Written when a run starts: marks the folder as a study run folder.</summary>
    public const string Marker = "experiment.json";

    /// <summary>Claims <paramref name="folder"/> (<see cref="OutputFolder.Claim"/>) and writes the marker.</summary>
    /// <param name="folder">Run folder.</param>
    /// <param name="command">The command, for messages and the marker (<c>experiment</c>, <c>demo</c>).</param>
    /// <param name="overwrite">Replace an earlier run of a study command.</param>
    /// <exception cref="OutputExistsException">The folder holds something and may not be replaced.</exception>
    public static void Claim(string folder, string command, bool overwrite)
    {
        OutputFolder.Claim(folder, Marker, command, overwrite);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, Marker), new JsonObject
        {
            ["command"] = command, ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        }.ToJsonString() + "\n");
    }
}
