using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Evaluation;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;
using LaMo.World;

namespace LaMo.Workflows;

/// <summary>Options of <c>lamo eval physics</c>.</summary>
/// <param name="Videos">Folder of generated videos (<c>&lt;clip&gt;.mp4</c>, ... or frame folders).</param>
/// <param name="Truth">Folder of world ground-truth JSON files (<c>&lt;clip&gt;.json</c>).</param>
/// <param name="Physics">Benchmark options.</param>
/// <param name="Name">Row name of the generated videos.</param>
/// <param name="References">Add the GT floor, copy-last and constant-velocity rows.</param>
/// <param name="Out">Where to write the JSON results.</param>
public sealed record PhysicsEvalOptions(string Videos, string Truth, PhysicsOptions Physics, string Name = "generated",
    bool References = true, string Out = "eval.json");

/// <summary>What <see cref="EvalWorkflow.Physics"/> did: the summary (null for one part of a sharded run), the clips it
/// evaluated and the ground-truth clips without a video.</summary>
public sealed record PhysicsEvalRun(PhysicsBenchmarkResult? Result, int Clips, IReadOnlyList<string> Missing);

/// <summary><c>lamo eval physics|motion</c>, whole or as one part of a sharded run (<c>--shard i/N</c>), and the merges.</summary>
/// <remarks>A part evaluates every N-th clip and writes its per-clip results; the merge summarises the concatenation in the
/// unsharded clip order, so the merged <c>eval.json</c> equals the unsharded one (summaries and bootstrap included).</remarks>
public static class EvalWorkflow
{
    /// <summary>Part kinds.</summary>
    public const string PhysicsKind = "eval-physics", MotionKind = "eval-motion";

    private const string PartResults = "results.json";

    /// <summary>Evaluates the videos against the ground truth; writes <c>o.Out</c> (or this part's results).</summary>
    /// <exception cref="InvalidDataException">No ground truth, no matching video, or an unreadable video (named).</exception>
    /// <param name="progress">Clips read so far, of this run's clips.</param>
    public static PhysicsEvalRun Physics(PhysicsEvalOptions o, DataShard? part = null, IProgress<(int Done, int Total)>? progress = null)
    {
        o.Physics.Validate();
        if (!Directory.Exists(o.Videos)) throw new ArgumentException($"--videos '{o.Videos}' is not a folder");
        if (!Directory.Exists(o.Truth)) throw new ArgumentException($"--truth '{o.Truth}' is not a folder");
        var (all, paths, missing) = Pair(o.Videos, o.Truth);
        var mine = Enumerable.Range(0, all.Count).Where(i => part?.Owns(i) ?? true).ToList();
        IReadOnlyList<RowClipResults> rows;
        int read = 0;
        FrameStack Read(BenchmarkClip c)
        {
            var video = FrameStackDecoder.Read(paths[c.Id]);
            progress?.Report((++read, mine.Count));
            return video;
        }
        try
        {
            rows = PhysicsBenchmark.EvaluateClips(mine.Select(i => all[i]).ToList(),
                new Dictionary<string, Func<BenchmarkClip, FrameStack>> { [o.Name] = Read },
                o.Physics, o.References);
        }
        catch (ArgumentException e) when (e.ParamName == "video")
        {
            throw new InvalidDataException(e.Message, e);
        }
        if (part is null)
        {
            var result = PhysicsBenchmark.Summarise(o.Physics, rows, methodCount: 1);
            result.Save(o.Out);
            return new PhysicsEvalRun(result, all.Count, missing);
        }
        string folder = StartPart(o.Out, part);
        AtomicFile.WriteAllText(Path.Combine(folder, PartResults), JsonSerializer.Serialize(rows, PhysicsBenchmarkResult.JsonOptions) + "\n");
        var job = JsonSerializer.SerializeToNode(o with { Videos = ArtifactPaths.Relative(folder, o.Videos), Truth = ArtifactPaths.Relative(folder, o.Truth), Out = "" },
            PhysicsBenchmarkResult.JsonOptions)!.AsObject();
        job["clips"] = all.Count;
        job["clips_fingerprint"] = ShardParts.Fingerprint(all.Select(c => c.Id));
        var items = new JsonObject { ["clips"] = Indexed(mine, i => all[i].Id), ["method_count"] = 1 };
        ShardParts.Complete(folder, new PartMarker(PhysicsKind, part.Rank, part.Count, job, items));
        return new PhysicsEvalRun(null, mine.Count, missing);
    }

    /// <summary>Pairs GT JSON files with generated videos by file stem (clips in ordinal id order).</summary>
    /// <exception cref="InvalidDataException">No GT file, or no clip with a video.</exception>
    public static (List<BenchmarkClip> Clips, Dictionary<string, string> Videos, List<string> Missing) Pair(string videoDir, string truthDir)
    {
        var truthFiles = Directory.GetFiles(truthDir, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (truthFiles.Length == 0) throw new InvalidDataException($"{truthDir}: no ground-truth .json files");
        var clips = new List<BenchmarkClip>();
        var videos = new Dictionary<string, string>();
        var missing = new List<string>();
        foreach (var f in truthFiles)
        {
            var id = Path.GetFileNameWithoutExtension(f);
            var video = FrameStackDecoder.VideoExtensions.Select(e => Path.Combine(videoDir, id + e)).FirstOrDefault(File.Exists)
                ?? (Directory.Exists(Path.Combine(videoDir, id)) ? Path.Combine(videoDir, id) : null);
            if (video is null) { missing.Add(id); continue; }
            clips.Add(new BenchmarkClip(id, WorldClip.Load(f)));
            videos[id] = video;
        }
        if (clips.Count == 0) throw new InvalidDataException($"{videoDir}: no video matches any of the {truthFiles.Length} ground-truth clips by file stem");
        return (clips, videos, missing);
    }

    /// <summary>Scores the motion metrics of <paramref name="videos"/> (in the given order); writes <paramref name="output"/>
    /// (or this part's results). Returns the report (null for a part).</summary>
    public static MotionReport? Motion(IReadOnlyList<string> videos, MotionOptions options, string output, DataShard? part = null,
        IProgress<(int Done, int Total)>? progress = null)
    {
        var eval = new MotionEvaluator(options);
        var mine = Enumerable.Range(0, videos.Count).Where(i => part?.Owns(i) ?? true).ToList();
        foreach (var i in mine)
        {
            eval.Update(videos[i], FrameStackDecoder.Read(videos[i]));
            progress?.Report((eval.Count, mine.Count));
        }
        if (part is null)
        {
            var report = eval.Compute();
            SaveMotion(output, report);
            return report;
        }
        string folder = StartPart(output, part);
        AtomicFile.WriteAllText(Path.Combine(folder, PartResults), JsonSerializer.Serialize(eval.Compute().Videos, PhysicsBenchmarkResult.JsonOptions) + "\n");
        var job = new JsonObject
        {
            ["options"] = JsonSerializer.SerializeToNode(options, PhysicsBenchmarkResult.JsonOptions),
            ["videos"] = videos.Count, ["videos_fingerprint"] = ShardParts.Fingerprint(videos),
        };
        ShardParts.Complete(folder, new PartMarker(MotionKind, part.Rank, part.Count, job,
            new JsonObject { ["videos"] = Indexed(mine, i => ArtifactPaths.Relative(folder, videos[i])) }));
        return null;
    }

    /// <summary>Writes a motion report as JSON.</summary>
    public static void SaveMotion(string path, MotionReport report) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, PhysicsBenchmarkResult.JsonOptions) + "\n");

    /// <summary>Summarises the parts of a sharded physics evaluation into <paramref name="output"/> (= the unsharded result).</summary>
    public static PhysicsBenchmarkResult MergePhysics(string output, IReadOnlyList<(string Folder, PartMarker Marker)> parts)
    {
        ExpectKind(parts, PhysicsKind);
        var options = parts[0].Marker.Job["physics"].Deserialize<PhysicsOptions>(PhysicsBenchmarkResult.JsonOptions)
            ?? throw new InvalidDataException($"{parts[0].Folder}: {ShardParts.MarkerFile} has no options");
        var perPart = parts.Select(p => (p.Marker, Rows: ReadPart<List<RowClipResults>>(p.Folder))).ToList();
        var names = perPart[0].Rows.Select(r => r.Method).ToList();
        var rows = new List<RowClipResults>();
        foreach (var name in names)
        {
            var clips = new List<(int Index, ClipPhysicsResult Result)>();
            foreach (var (marker, partRows) in perPart)
            {
                var row = partRows.FirstOrDefault(r => r.Method == name) ?? throw new InvalidDataException($"part {marker.Shard} has no row '{name}'");
                clips.AddRange(WithIndices(marker, "clips", row.Clips, c => c.ClipId));
            }
            rows.Add(new RowClipResults(name, clips.OrderBy(c => c.Index).Select(c => c.Result).ToList()));
        }
        var result = PhysicsBenchmark.Summarise(options, rows, (int)parts[0].Marker.Items["method_count"]!);
        result.Save(output);
        ShardParts.RecordMerge(output, PhysicsKind, parts.Count);
        return result;
    }

    /// <summary>Combines the parts of a sharded motion evaluation into <paramref name="output"/> (= the unsharded result).</summary>
    public static MotionReport MergeMotion(string output, IReadOnlyList<(string Folder, PartMarker Marker)> parts)
    {
        ExpectKind(parts, MotionKind);
        var options = parts[0].Marker.Job["options"].Deserialize<MotionOptions>(PhysicsBenchmarkResult.JsonOptions)
            ?? throw new InvalidDataException($"{parts[0].Folder}: {ShardParts.MarkerFile} has no options");
        var all = parts.SelectMany(p => WithIndices(p.Marker, "videos", ReadPart<List<MotionResult>>(p.Folder), r => ArtifactPaths.Relative(p.Folder, r.Video)))
            .OrderBy(r => r.Index);
        var eval = new MotionEvaluator(options);
        foreach (var (_, r) in all) eval.Add(r);
        var report = eval.Compute();
        SaveMotion(output, report);
        ShardParts.RecordMerge(output, MotionKind, parts.Count);
        return report;
    }

    private static string StartPart(string output, DataShard part)
    {
        string folder = ShardParts.PartFolder(output, part);
        Directory.CreateDirectory(folder);
        ShardParts.Reopen(folder);
        return folder;
    }

    private static JsonArray Indexed(IEnumerable<int> indices, Func<int, string> id) =>
        new(indices.Select(i => (JsonNode)new JsonObject { ["index"] = i, ["id"] = id(i) }).ToArray());

    // Pairs each result with its global index from the part's marker (matched by id, so a reordered file is caught).
    private static IEnumerable<(int Index, T Result)> WithIndices<T>(PartMarker marker, string list, IReadOnlyList<T> results, Func<T, string> id)
    {
        var indexOf = marker.Items[list]!.AsArray().ToDictionary(c => (string)c!["id"]!, c => (int)c!["index"]!, StringComparer.Ordinal);
        if (indexOf.Count != results.Count)
            throw new InvalidDataException($"part {marker.Shard}: {results.Count} results for {indexOf.Count} listed items");
        return results.Select(r => indexOf.TryGetValue(id(r), out int i) ? (i, r)
            : throw new InvalidDataException($"part {marker.Shard}: result for '{id(r)}' is not listed in its {ShardParts.MarkerFile}"));
    }

    private static T ReadPart<T>(string folder)
    {
        string path = Path.Combine(folder, PartResults);
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), PhysicsBenchmarkResult.JsonOptions) ?? throw new InvalidDataException($"{path}: empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed ({e.Message.Split(". Path")[0]})"); }
        catch (FileNotFoundException) { throw new InvalidDataException($"{path}: missing"); }
    }

    private static void ExpectKind(IReadOnlyList<(string Folder, PartMarker Marker)> parts, string kind)
    {
        if (parts[0].Marker.Kind != kind) throw new InvalidDataException($"{parts[0].Folder}: a '{parts[0].Marker.Kind}' part, not '{kind}'");
    }
}
