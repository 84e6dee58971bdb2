using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>One ground-truth clip of a benchmark run.</summary>
/// <param name="Id">Clip id (GT file stem); pairs generated videos across methods.</param>
/// <param name="Clip">Ground truth.</param>
public sealed record BenchmarkClip(string Id, WorldClip Clip);

/// <summary>One row's per-clip results, before summarising.</summary>
/// <param name="Method">Row name.</param>
/// <param name="Clips">Clip results in clip order.</param>
public sealed record RowClipResults(string Method, IReadOnlyList<ClipPhysicsResult> Clips);

/// <summary>Everything a benchmark run produced; serialised as <c>eval.json</c>.</summary>
/// <param name="Options">Options of every row.</param>
/// <param name="Rows">Methods first, then reference rows.</param>
/// <param name="Comparisons">Paired bootstrap differences (method vs method, method vs references).</param>
public sealed record PhysicsBenchmarkResult(PhysicsOptions Options, IReadOnlyList<PhysicsReport> Rows, IReadOnlyList<BootstrapComparison> Comparisons)
{
    /// <summary>JSON options of <c>eval.json</c> (snake_case, indented, NaN written as "NaN").</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The result as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Writes <c>eval.json</c>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson().ReplaceLineEndings("\n") + "\n");

    /// <summary>Reads an <c>eval.json</c> that <see cref="Save"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Not such a file (names it).</exception>
    public static PhysicsBenchmarkResult Load(string path)
    {
        try
        {
            var result = JsonSerializer.Deserialize<PhysicsBenchmarkResult>(File.ReadAllText(path), JsonOptions);
            if (result?.Rows is not { Count: > 0 } || result.Rows.Any(r => r.Clips is null))
                throw new InvalidDataException($"{path}: not an eval.json of lamo eval physics (no rows with clips)");
            return result;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an eval.json of lamo eval physics ({e.Message})", e);
        }
    }

    /// <summary>Headline table (Markdown): one line per row, overall means of <see cref="PhysicsBenchmark.HeadlineMetrics"/>.</summary>
    public string HeadlineTable()
    {
        var sb = new StringBuilder();
        var m = PhysicsBenchmark.HeadlineMetrics;
        sb.AppendLine($"| row | clips | {string.Join(" | ", m)} |");
        sb.AppendLine($"|---|---|{string.Concat(m.Select(_ => "---|"))}");
        foreach (var r in Rows)
            sb.AppendLine($"| {r.Method} | {r.Overall.Clips} | {string.Join(" | ", m.Select(k => PhysicsBenchmark.Format(r.Overall.Metrics[k].Mean)))} |");
        return sb.ToString();
    }
}

/// <summary>Runs the physics benchmark: every method plus the reference rows over the same clips, then paired bootstraps.</summary>
/// <example><code>
/// var clips = files.Select(f => new BenchmarkClip(Path.GetFileNameWithoutExtension(f), WorldClip.Load(f))).ToArray();
/// var result = PhysicsBenchmark.Run(clips, new Dictionary&lt;string, Func&lt;BenchmarkClip, FrameStack&gt;&gt;
///     { ["baseline"] = c => Generate(baseline, c), ["lamo"] = c => Generate(lamo, c) }, new PhysicsOptions());
/// Console.WriteLine(result.HeadlineTable()); result.Save("eval.json");
/// </code></example>
public static class PhysicsBenchmark
{
    /// <summary>Metrics of the headline table (law-free M7/M9 beside referenced ones).</summary>
    public static IReadOnlyList<string> HeadlineMetrics { get; } =
        ["failure", "m1", "m1_with_failures", "m1c", "m2", "m3", "m4_energy", "m5", "m6_permanence", "m7_residual_px", "m8_st_iou", "m9_jerk"];

    /// <summary>Metrics compared by the paired bootstrap.</summary>
    public static IReadOnlyList<string> ComparedMetrics { get; } = ["m1_with_failures", "m1c", "m2", "m3", "m7_residual_px", "m9_jerk"];

    /// <summary>Evaluates each method and the reference rows on <paramref name="clips"/>.</summary>
    /// <param name="clips">Ground-truth clips.</param>
    /// <param name="methods">Method name → generated video for a clip (RGB [F, H, W, 3]).</param>
    /// <param name="options">Options.</param>
    /// <param name="references">Add the GT floor, copy-last-given-frame and constant-velocity rows (the last two only in
    /// continuation mode with enough given frames).</param>
    /// <param name="vaeRoundTrip">If set, adds the VAE floor row: the GT render through this encode/decode.</param>
    /// <exception cref="ArgumentException">Duplicate clip ids, a reserved method name or incompatible videos.</exception>
    public static PhysicsBenchmarkResult Run(IReadOnlyList<BenchmarkClip> clips,
        IReadOnlyDictionary<string, Func<BenchmarkClip, FrameStack>> methods, PhysicsOptions options,
        bool references = true, Func<FrameStack, FrameStack>? vaeRoundTrip = null) =>
        Summarise(options, EvaluateClips(clips, methods, options, references, vaeRoundTrip), methods.Count);

    /// <summary>The per-clip half of <see cref="Run"/>: every row's clip results, methods first, in clip order. A sharded
    /// evaluation runs this on each part's clips and <see cref="Summarise"/>s the concatenation.</summary>
    /// <inheritdoc cref="Run" path="/param"/>
    /// <exception cref="ArgumentException">Duplicate clip ids, a reserved method name or incompatible videos.</exception>
    public static IReadOnlyList<RowClipResults> EvaluateClips(IReadOnlyList<BenchmarkClip> clips,
        IReadOnlyDictionary<string, Func<BenchmarkClip, FrameStack>> methods, PhysicsOptions options,
        bool references = true, Func<FrameStack, FrameStack>? vaeRoundTrip = null)
    {
        options.Validate();
        var dup = clips.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"clip id '{dup.Key}' appears {dup.Count()} times", nameof(clips));
        var rows = new List<(string Name, Func<BenchmarkClip, FrameStack> Video)>();
        foreach (var (name, f) in methods)
        {
            if (name is ReferenceVideos.GroundTruthName or ReferenceVideos.CopyLastName or ReferenceVideos.ConstantVelocityName or ReferenceVideos.VaeName)
                throw new ArgumentException($"method name '{name}' is reserved for a reference row", nameof(methods));
            rows.Add((name, f));
        }
        if (references)
        {
            rows.Add((ReferenceVideos.GroundTruthName, c => ReferenceVideos.GroundTruth(c.Clip)));
            if (options.GivenFrames >= 1) rows.Add((ReferenceVideos.CopyLastName, c => ReferenceVideos.CopyLastGiven(c.Clip, options.GivenFrames)));
            if (options.GivenFrames >= 2) rows.Add((ReferenceVideos.ConstantVelocityName, c => ReferenceVideos.ConstantVelocity(c.Clip, options.GivenFrames)));
        }
        if (vaeRoundTrip is not null) rows.Add((ReferenceVideos.VaeName, c => ReferenceVideos.VaeReconstruction(c.Clip, vaeRoundTrip)));

        var evaluators = rows.Select(r => new PhysicsEvaluator(r.Name, options)).ToArray();
        foreach (var c in clips)
        {
            var gt = ReferenceVideos.GroundTruth(c.Clip);
            for (var i = 0; i < rows.Count; i++) evaluators[i].Update(c.Id, c.Clip, rows[i].Video(c), gt);
        }
        return evaluators.Select(e => new RowClipResults(e.Method, e.Compute().Clips)).ToArray();
    }

    /// <summary>The summary half of <see cref="Run"/>: group summaries of each row and the paired bootstrap comparisons.</summary>
    /// <param name="options">Options the clip results were computed with.</param>
    /// <param name="rows">Clip results per row, methods first (as <see cref="EvaluateClips"/> returns them).</param>
    /// <param name="methodCount">How many leading rows are methods (the rest are reference rows).</param>
    public static PhysicsBenchmarkResult Summarise(PhysicsOptions options, IReadOnlyList<RowClipResults> rows, int methodCount)
    {
        var reports = rows.Select(r =>
        {
            var e = new PhysicsEvaluator(r.Method, options);
            foreach (var c in r.Clips) e.Add(c);
            return e.Compute();
        }).ToArray();
        return new PhysicsBenchmarkResult(options, reports, Compare(reports, methodCount, options));
    }

    // Every pair of methods, and every method against every reference row.
    private static List<BootstrapComparison> Compare(PhysicsReport[] reports, int methodCount, PhysicsOptions o)
    {
        var list = new List<BootstrapComparison>();
        for (var i = 0; i < methodCount; i++)
            for (var j = i + 1; j < reports.Length; j++)
                foreach (var m in ComparedMetrics)
                    list.Add(PairedBootstrap.Compare(m, reports[i].Method, reports[i].Clips, reports[j].Method, reports[j].Clips, o.BootstrapResamples, o.BootstrapSeed));
        return list;
    }

    /// <summary>Compact number format of the tables.</summary>
    public static string Format(double v) => double.IsNaN(v) ? "-" : Math.Abs(v) >= 1000 ? v.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture) : v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}
