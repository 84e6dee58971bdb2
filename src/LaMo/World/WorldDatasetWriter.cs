using LaMo.Data;
using LaMo.Video;

namespace LaMo.World;

/// <summary>Writes a world dataset: <c>videos/{scenario}_{index}.mp4</c> with a GT <c>.json</c> beside each (and optional
/// lossless <c>.rgb</c>), plus <c>metadata.csv</c> with columns <c>path, caption, scenario, split, seed</c>; with world v2
/// conditions also <c>background, camera, lighting, entering, condition</c> (the last holds the condition's parameters as
/// <c>name=value</c> pairs separated by ';').</summary>
public static class WorldDatasetWriter
{
    /// <summary>Header of metadata.csv.</summary>
    public static IReadOnlyList<string> MetadataColumns { get; } = ["path", "caption", "scenario", "split", "seed"];

    /// <summary>Columns world v2 datasets add after <see cref="MetadataColumns"/>.</summary>
    public static IReadOnlyList<string> ConditionColumns { get; } = ["background", "camera", "lighting", "entering", "condition"];

    /// <summary>Generates all clips (in parallel; output is identical for any thread count) and returns the metadata rows.</summary>
    /// <param name="options">What to write.</param>
    /// <param name="onClipDone">Called once per finished clip, from worker threads.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static IReadOnlyList<string[]> Write(WorldDatasetOptions options, Action? onClipDone = null)
    {
        options.Validate();
        var videos = Path.Combine(options.OutDir, "videos");
        Directory.CreateDirectory(videos);
        var jobs = options.Scenarios.SelectMany(s => Enumerable.Range(0, options.CountPerScenario).Select(i => (s, i))).ToArray();
        var rows = new string[jobs.Length][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount };
        Parallel.For(0, jobs.Length, parallel, j =>
        {
            var (scenario, index) = jobs[j];
            rows[j] = WriteClip(options, videos, scenario, index);
            onClipDone?.Invoke();
        });
        var lines = new List<string> { CsvTable.Line(options.HasConditions ? [.. MetadataColumns, .. ConditionColumns] : MetadataColumns) };
        lines.AddRange(rows.Select(CsvTable.Line));
        File.WriteAllText(Path.Combine(options.OutDir, "metadata.csv"), string.Join('\n', lines) + "\n");
        return rows;
    }

    private static string[] WriteClip(WorldDatasetOptions o, string videos, Scenario scenario, int index)
    {
        var name = ScenarioNames.Name(scenario);
        var stem = $"{name}_{index:D5}";
        var seed = WorldGenerator.ClipSeed(o.Seed, o.Ranges.Name, scenario, index);
        var clip = WorldGenerator.Generate(new ClipSpec(scenario, o.Ranges, seed, o.Size, o.Size, o.Frames, o.Conditions));
        clip.Save(Path.Combine(videos, stem + ".json"));
        var rel = $"videos/{stem}.json";
        if (o.Codec is not null || o.RawFrames)
        {
            var frames = new VideoFrames(Renderer.Render(clip), o.Frames, o.Size, o.Size, clip.Render.Fps);
            if (o.RawFrames) RawVideoFile.Write(Path.Combine(videos, stem + ".rgb"), frames);
            if (o.Codec is { } codec)
            {
                VideoEncoder.WriteMp4(Path.Combine(videos, stem + ".mp4"), frames, codec);
                rel = $"videos/{stem}.mp4";
            }
        }
        string[] row = [rel, clip.Caption, name, o.Ranges.Name, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        return o.HasConditions ? [.. row, .. ConditionCells(clip.Condition)] : row;
    }

    private static string[] ConditionCells(WorldCondition? c)
    {
        if (c is null) return ["uniform", "static", "constant", "none", ""];
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var pairs = c.Parameters.Select(p => $"{p.Key}={p.Value.ToString("R", inv)}");
        if (c.Image is not null) pairs = pairs.Append($"image={c.Image}");
        return [c.Background, c.Camera, c.Lighting, c.Entering, string.Join(';', pairs)];
    }
}
