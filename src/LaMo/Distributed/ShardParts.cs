using LaMo.Data;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LaMo.Core;

namespace LaMo.Distributed;

/// <summary>The <c>part.json</c> a sharded job writes when its part is complete.</summary>
/// <param name="Kind">What produced the part (<c>encode</c>, <c>sample</c>, <c>eval-physics</c>, <c>eval-motion</c>).</param>
/// <param name="Shard">This part's index i.</param>
/// <param name="Count">Number of parts N.</param>
/// <param name="Job">The job's settings; every part of one job has the same (the merge refuses a mix).</param>
/// <param name="Items">Kind-specific record of what the part holds, with each item's index in the job's global order.</param>
public sealed record PartMarker(string Kind, int Shard, int Count, JsonObject Job, JsonObject Items);

/// <summary>Where the parts of a sharded job live and how they are found again for the merge.</summary>
/// <remarks>
/// A job with output <c>OUT</c> run as shard i of N (<c>--shard i/N</c>, or rank i of an N-rank MPI job) writes into
/// <c>OUT.parts/i-of-N/</c>, and writes <c>part.json</c> last, atomically: a part without it is incomplete (killed or still
/// running) and is never merged. <c>lamo merge OUT</c> (or rank 0 at the end of an MPI job) combines the N parts into
/// <c>OUT</c> so that it equals what the unsharded job would have written. Items are dealt round robin
/// (<see cref="DataShard.Owns"/>).
/// </remarks>
public static partial class ShardParts
{
    /// <summary>Name of the completion marker in a part folder.</summary>
    public const string MarkerFile = "part.json";

    /// <summary>Name of the record the merge leaves in the parts folder.</summary>
    public const string MergedFile = "merged.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary><c>OUT.parts</c>.</summary>
    public static string PartsFolder(string output) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) + ".parts";

    /// <summary><c>OUT.parts/i-of-N</c>.</summary>
    public static string PartFolder(string output, DataShard shard) =>
        Path.Combine(PartsFolder(output), $"{shard.Rank}-of-{shard.Count}");

    /// <summary>Marks a part complete (atomically; the last thing a part writes).</summary>
    public static void Complete(string partFolder, PartMarker marker) =>
        AtomicFile.WriteAllText(Path.Combine(partFolder, MarkerFile), JsonSerializer.Serialize(marker, Json) + "\n");

    /// <summary>Forgets a part's completion (at the start of a run that will change it).</summary>
    public static void Reopen(string partFolder) => File.Delete(Path.Combine(partFolder, MarkerFile));

    /// <summary>The N complete parts of <paramref name="output"/>, in shard order.</summary>
    /// <exception cref="InvalidDataException">No parts, a missing or incomplete part, mixed shard counts, kinds or jobs;
    /// the message names the part.</exception>
    public static IReadOnlyList<(string Folder, PartMarker Marker)> Collect(string output)
    {
        string parts = PartsFolder(output);
        if (!Directory.Exists(parts)) throw new InvalidDataException($"{parts}: no parts to merge (run the job with --shard i/N first)");
        var folders = Directory.GetDirectories(parts).Select(f => (Folder: f, Match: PartName().Match(Path.GetFileName(f))))
            .Where(x => x.Match.Success).ToList();
        if (folders.Count == 0) throw new InvalidDataException($"{parts}: no part folders (i-of-N)");
        var counts = folders.Select(x => int.Parse(x.Match.Groups[2].Value, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        if (counts.Count > 1)
            throw new InvalidDataException($"{parts}: parts of jobs with different shard counts ({string.Join(", ", counts)}); remove the stale ones");
        int n = counts[0];
        var result = new List<(string, PartMarker)>();
        for (int i = 0; i < n; i++)
        {
            string folder = Path.Combine(parts, $"{i}-of-{n}");
            if (!Directory.Exists(folder)) throw new InvalidDataException($"{folder}: missing part {i} of {n}; run shard {i}/{n}");
            var marker = ReadMarker(folder) ?? throw new InvalidDataException($"{folder}: part {i} of {n} is incomplete (no {MarkerFile}); run shard {i}/{n} again");
            if (marker.Shard != i || marker.Count != n)
                throw new InvalidDataException($"{folder}: {MarkerFile} says part {marker.Shard} of {marker.Count}");
            if (result.Count > 0)
            {
                var first = result[0].Item2;
                if (marker.Kind != first.Kind) throw new InvalidDataException($"{folder}: a '{marker.Kind}' part among '{first.Kind}' parts");
                if (marker.Job.ToJsonString() != first.Job.ToJsonString())
                    throw new InvalidDataException($"{folder}: made with other settings than part 0 ({marker.Job.ToJsonString()} vs {first.Job.ToJsonString()})");
            }
            result.Add((folder, marker));
        }
        return result;
    }

    /// <summary>Every part <c>i-of-N</c> of <paramref name="output"/> for each shard count N that has a folder, the
    /// missing ones included: whether its folder exists, and its marker when complete (null: missing, still running,
    /// killed or failed) — what <c>lamo merge --status</c> lists, e.g. to resubmit array tasks.</summary>
    public static IReadOnlyList<(string Name, bool Exists, PartMarker? Marker)> Status(string output)
    {
        string parts = PartsFolder(output);
        if (!Directory.Exists(parts)) return [];
        var counts = Directory.GetDirectories(parts).Select(f => PartName().Match(Path.GetFileName(f))).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).Distinct().Order();
        return counts.SelectMany(n => Enumerable.Range(0, n).Select(i =>
        {
            string folder = Path.Combine(parts, $"{i}-of-{n}");
            bool exists = Directory.Exists(folder);
            return ($"{i}-of-{n}", exists, exists ? ReadMarker(folder) : null);
        })).ToList();
    }

    /// <summary>Reads a part's marker; null when the part is incomplete.</summary>
    /// <exception cref="InvalidDataException">A malformed marker (names the file).</exception>
    public static PartMarker? ReadMarker(string partFolder)
    {
        string path = Path.Combine(partFolder, MarkerFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<PartMarker>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed ({e.Message.Split(". Path")[0]})"); }
    }

    /// <summary>Records that <paramref name="output"/> was written by a merge of its parts (so a later merge may replace it).</summary>
    public static void RecordMerge(string output, string kind, int count) =>
        AtomicFile.WriteAllText(Path.Combine(PartsFolder(output), MergedFile),
            new JsonObject { ["kind"] = kind, ["count"] = count, ["output"] = ArtifactPaths.Relative(PartsFolder(output), output) }.ToJsonString() + "\n");

    /// <summary>True when <paramref name="output"/> was written by an earlier merge of its parts.</summary>
    public static bool WasMerged(string output) => File.Exists(Path.Combine(PartsFolder(output), MergedFile));

    /// <summary>A 64-bit FNV-1a hash, hex (stable across processes, for job fingerprints of long lists).</summary>
    public static string Fingerprint(IEnumerable<string> values)
    {
        ulong h = 14695981039346656037UL;
        foreach (var v in values)
        {
            foreach (byte b in System.Text.Encoding.UTF8.GetBytes(v)) h = (h ^ b) * 1099511628211UL;
            h = (h ^ 0xFF) * 1099511628211UL;   // separator: ["ab","c"] ≠ ["a","bc"]
        }
        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(\d+)-of-(\d+)$")]
    private static partial Regex PartName();
}
