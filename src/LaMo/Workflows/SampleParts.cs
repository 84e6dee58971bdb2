using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Distributed;

namespace LaMo.Workflows;

/// <summary>The part record and the merge of a sharded <c>lamo sample</c>.</summary>
internal static class SampleParts
{
    public const string Kind = "sample";

    /// <summary>Writes the part's marker: each video with its index in prompt × seed order.</summary>
    /// <param name="partFolder">The part's folder.</param>
    /// <param name="part">Which part.</param>
    /// <param name="o">The job's options.</param>
    /// <param name="record">The job's <c>sample.json</c> without videos (the merge adds them).</param>
    /// <param name="videos">The part's videos.</param>
    /// <param name="indices">Their indices in the job.</param>
    public static void Complete(string partFolder, DataShard part, SampleOptions o, SampleRecord record, IReadOnlyList<SampledVideo> videos, IReadOnlyList<int> indices)
    {
        // Paths relative to the part folder: the same text in every part (all at one depth), none of this machine's.
        string? Rel(string? path) => path is null ? null : ArtifactPaths.Relative(partFolder, path);
        var job = JsonSerializer.SerializeToNode(o with
        {
            Out = "", Overwrite = false, Pipeline = Rel(o.Pipeline)!, Lora = Rel(o.Lora), Predictor = Rel(o.Predictor),
            World = Rel(o.World), GivenVideo = Rel(o.GivenVideo),
        })!.AsObject();
        job["record"] = JsonSerializer.SerializeToNode(record);
        var items = new JsonObject
        {
            ["videos"] = new JsonArray(videos.Select((v, k) => (JsonNode)new JsonObject
                { ["index"] = indices[k], ["file"] = Path.GetFileName(v.Path), ["seed"] = v.Seed, ["prompt"] = v.Prompt, ["clip"] = v.Clip }).ToArray()),
        };
        ShardParts.Complete(partFolder, new PartMarker(Kind, part.Rank, part.Count, job, items));
    }

    /// <summary>Copies every part's videos into <paramref name="output"/> (each atomically) and writes the prompt list in
    /// prompt × seed order, as an unsharded run does (existing files of the same name are replaced, as there).</summary>
    public static int Merge(string output, IReadOnlyList<(string Folder, PartMarker Marker)> parts)
    {
        if (parts[0].Marker.Kind != Kind) throw new InvalidDataException($"{parts[0].Folder}: a '{parts[0].Marker.Kind}' part, not a sample part");
        Directory.CreateDirectory(output);
        var lines = new List<(int Index, string Line)>();
        var videos = new List<(int Index, SampleRecordVideo Video)>();
        foreach (var (folder, marker) in parts)
            foreach (var v in marker.Items["videos"]!.AsArray())
            {
                string file = (string)v!["file"]!;
                if (file != Path.GetFileName(file)) throw new InvalidDataException($"{folder}: {ShardParts.MarkerFile} names a file outside the part ('{file}')");
                string source = Path.Combine(folder, file);
                if (!File.Exists(source)) throw new InvalidDataException($"{source}: listed in {ShardParts.MarkerFile} but missing");
                AtomicFile.Write(Path.Combine(output, file), s => { using var f = File.OpenRead(source); f.CopyTo(s); });
                lines.Add(((int)v["index"]!, $"{file}\t{(long)v["seed"]!}\t{(string)v["prompt"]!}"));
                videos.Add(((int)v["index"]!, new SampleRecordVideo(file, (string)v["prompt"]!, (long)v["seed"]!, (string?)v["clip"])));
            }
        var dup = lines.GroupBy(l => l.Index).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidDataException($"video {dup.Key} of the job is in more than one part");
        AtomicFile.WriteAllText(Path.Combine(output, SampleWorkflow.PromptList),
            string.Concat(lines.OrderBy(l => l.Index).Select(l => l.Line + Environment.NewLine)));
        if (parts[0].Marker.Job["record"]?.Deserialize<SampleRecord>() is { } record)   // parts of older builds have none
            (record with { Videos = videos.OrderBy(v => v.Index).Select(v => v.Video).ToList() }).Save(output);
        ShardParts.RecordMerge(output, Kind, parts.Count);
        return lines.Count;
    }
}
