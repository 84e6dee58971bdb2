using System.IO.Compression;
using System.Text.Json;
using LaMo.Core;
using LaMo.Evaluation;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;

namespace LaMo.Experiment;

/// <summary>Which part of a study a shard holds: one arm (or <see cref="StudyShards.Reference"/>, or
/// <see cref="StudyShards.Gate"/>) in one (mode, condition, split) cell under one training seed.</summary>
/// <param name="Arm">Arm name, <c>reference</c> or <c>gate</c>.</param>
/// <param name="Cell">Mode, condition and split.</param>
/// <param name="TrainSeed">Training seed (null for the reference rows and the gate, which use no fine-tune).</param>
public readonly record struct StudyShardKey(string Arm, StudyCell Cell, int? TrainSeed);

/// <summary>A heatmap figure written while sampling (path relative to the run folder).</summary>
/// <param name="Path">PNG path.</param>
/// <param name="Caption">Caption.</param>
public sealed record StudyHeatmap(string Path, string Caption);

/// <summary>What one shard holds besides its videos: the per-clip physics results of its rows (ids are unit ids for arms,
/// clip ids for the reference rows), the per-video motion results, the sampling seconds per video and any heatmaps.</summary>
/// <param name="Rows">Per-clip physics results per row.</param>
/// <param name="Motion">Per-video motion metrics (video = unit id, or <c>{row}|{clip id}</c> for the reference rows).</param>
/// <param name="Seconds">Sampling wall time per video, in unit order.</param>
/// <param name="Heatmaps">Heatmaps written by this shard.</param>
public sealed record StudyShard(IReadOnlyList<RowClipResults> Rows, IReadOnlyList<MotionResult> Motion, IReadOnlyList<double> Seconds,
    IReadOnlyList<StudyHeatmap> Heatmaps);

/// <summary>The study's results on disk, one folder per shard under <c>{run}/shards/</c>: <c>samples.bin.gz</c> (the videos)
/// and <c>eval.json</c>, each written atomically (temporary file, then rename), <c>eval.json</c> last, so a shard exists
/// exactly when its <c>eval.json</c> does. A resumed run skips the shards that exist; the final evaluation reads every
/// figure from the shards, so an interrupted and resumed run gives the same results as an uninterrupted one.</summary>
public sealed class StudyShards(string runFolder)
{
    /// <summary>Arm name of the reference rows (ground truth, VAE floor, copy-last, constant velocity).</summary>
    public const string Reference = "reference";

    /// <summary>Arm name of the base model's quality-gate samples.</summary>
    public const string Gate = "gate";

    /// <summary>Arm name of the reference rows of the gate's clips (their own world seed and count, so never the study's).</summary>
    public const string GateReference = "gate-reference";

    /// <summary>Folder of all shards.</summary>
    public string Root { get; } = Path.Combine(runFolder, "shards");

    /// <summary>Folder of one shard: <c>shards/{arm}/{mode}/{condition}/{split}/t{seed}</c>.</summary>
    public string Folder(StudyShardKey k) => Path.Combine(Root, Safe(k.Arm), StudyModes.Tag(k.Cell.Mode), k.Cell.Condition, k.Cell.Split,
        k.TrainSeed is { } s ? $"t{s}" : "base");

    /// <summary>True when the shard was completed.</summary>
    public bool Has(StudyShardKey k) => File.Exists(Path.Combine(Folder(k), "eval.json"));

    /// <summary>Writes a shard: videos first, <c>eval.json</c> last (each atomically).</summary>
    public void Write(StudyShardKey k, StudyShard shard, IReadOnlyList<(string Id, FrameStack Video)> videos)
    {
        string dir = Folder(k);
        AtomicFile.Write(Path.Combine(dir, "samples.bin.gz"), s =>
        {
            using var gz = new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true);
            using var w = new BinaryWriter(gz);
            w.Write(videos.Count);
            foreach (var (id, v) in videos)
            {
                w.Write(id);
                w.Write(v.Count); w.Write(v.Height); w.Write(v.Width);
                w.Write(v.Data.Length);
                w.Write(v.Data);
            }
        });
        AtomicFile.WriteAllText(Path.Combine(dir, "eval.json"), JsonSerializer.Serialize(shard, PhysicsBenchmarkResult.JsonOptions) + "\n");
    }

    /// <summary>Reads a completed shard's figures.</summary>
    /// <exception cref="InvalidDataException">Missing or unreadable (names the file).</exception>
    public StudyShard Read(StudyShardKey k)
    {
        string path = Path.Combine(Folder(k), "eval.json");
        try
        {
            return JsonSerializer.Deserialize<StudyShard>(File.ReadAllText(path), PhysicsBenchmarkResult.JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty shard");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new InvalidDataException($"{path}: unreadable study shard ({e.Message}); delete its folder and resume to redo it", e);
        }
    }

    /// <summary>Reads the shard's videos whose ids <paramref name="wanted"/> accepts (all when null).</summary>
    public Dictionary<string, FrameStack> ReadVideos(StudyShardKey k, Func<string, bool>? wanted = null)
    {
        var list = new Dictionary<string, FrameStack>();
        using var fs = File.OpenRead(Path.Combine(Folder(k), "samples.bin.gz"));
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        using var r = new BinaryReader(gz);
        int n = r.ReadInt32();
        for (int i = 0; i < n; i++)
        {
            string id = r.ReadString();
            int f = r.ReadInt32(), h = r.ReadInt32(), w = r.ReadInt32(), bytes = r.ReadInt32();
            var data = r.ReadBytes(bytes);
            if (wanted is null || wanted(id)) list[id] = new FrameStack(data, f, h, w);
        }
        return list;
    }

    // '+' and '-' are fine in file names; anything else odd is replaced.
    private static string Safe(string arm) => new(arm.Select(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '_' ? c : '_').ToArray());
}
