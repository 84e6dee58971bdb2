using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Training;
using TorchSharp.Modules;
using Xunit;

namespace LaMo.Tests.Distributed;

/// <summary>A rank other than 0 never writes in the run folder — not on a fresh start, not on resume (where rank 0
/// truncates metrics.csv) — checked in one process with a stand-in for the other ranks.</summary>
[Collection("Torch")]
public sealed class NonRootRankTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-nonroot-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Rank 1 of 2 whose collectives are no-ops (the gradients stay this process's own).</summary>
    private sealed class NonRootSync : IGradientSync
    {
        public bool IsRoot => false;
        public void AllReduceGradients(IEnumerable<Parameter> parameters) { }
        public IReadOnlyDictionary<string, double> AverageScalars(IReadOnlyDictionary<string, double> values) => values;
        public void BroadcastParameters(IEnumerable<Parameter> parameters) { }
        public void Barrier() { }
    }

    private static TrainingResult Train(string run, bool resume, IGradientSync? sync) =>
        new TrainingLoop(new ShardedToyTask(seed: 3, globalBatch: 8, sync is null ? DataShard.Single : new DataShard(1, 2)),
            new TrainingLoopOptions(run, TotalSteps: 4, LogEvery: 1, CheckpointEvery: 2, Resume: resume),
            new JsonObject { ["task"] = "sharded-toy" }, sync).Run();

    /// <summary>Every file and folder under <paramref name="folder"/> with its content hash and write time.</summary>
    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).ToDictionary(
            e => Path.GetRelativePath(folder, e),
            e => File.Exists(e)
                ? $"{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e)))} {File.GetLastWriteTimeUtc(e):O}"
                : $"dir {Directory.GetLastWriteTimeUtc(e):O}"), StringComparer.Ordinal);

    [Fact]
    public void NonRootRank_FreshRun_CreatesNothing()
    {
        string run = Path.Combine(_dir, "fresh");
        var r = Train(run, resume: false, new NonRootSync());
        Assert.Equal(4, r.FinalStep);
        Assert.False(Directory.Exists(run), "rank 1 created the run folder");
    }

    [Fact]
    public void NonRootRank_Resume_LeavesTheRunFolderUntouched()
    {
        string run = Path.Combine(_dir, "run");
        Train(run, resume: false, sync: null);                                    // rank 0's (and only) run: rows 1–4, checkpoints 2 and 4
        Directory.Delete(Path.Combine(run, "checkpoints", "step-000004"), true);  // as if killed in step 4: resumes from 2
        var before = Snapshot(run);
        Assert.Equal([1, 2, 3, 4], MetricsLog.Read(Path.Combine(run, "metrics.csv")).Select(m => m.Step));

        var r = Train(run, resume: true, new NonRootSync());
        Assert.Equal(2, r.History[0].Step);                                      // it did resume from checkpoint 2
        Assert.Equal(before, Snapshot(run));                                      // rows 3–4 not truncated, no checkpoint, no tb/
    }
}
