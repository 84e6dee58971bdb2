using System.Text.Json.Nodes;
using LaMo.Training;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

[Collection("Torch")]
public sealed class TrainingLoopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-train-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private TrainingResult Train(string run, int total, bool resume = false, int? stopAfter = null, int? nanAt = null, NanPolicy nan = NanPolicy.Skip)
    {
        var task = new ToyRegressionTask(seed: 7) { NanAtStep = nanAt };
        var loop = new TrainingLoop(task, new TrainingLoopOptions(Path.Combine(_dir, run), total, LogEvery: 1, CheckpointEvery: 5, Resume: resume, Nan: nan),
            new JsonObject { ["task"] = "toy" });
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (stopAfter == p.Step) cts.Cancel(); });
        return loop.Run(progress, cts.Token);
    }

    private sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }

    [Fact]
    public void Run_LowersTheLoss_AndWritesRunFiles()
    {
        var r = Train("a", 40);
        Assert.True(r.History[^1].Metrics["loss"] < 0.2 * r.History[0].Metrics["loss"]);
        foreach (var f in new[] { "run.json", "metrics.csv", "loss.png", "checkpoints/latest" })
            Assert.True(File.Exists(Path.Combine(_dir, "a", f)), f);
        Assert.Equal(41, File.ReadAllLines(Path.Combine(_dir, "a", "metrics.csv")).Length);
    }

    [Fact]
    public void InterruptThenResume_ReproducesUninterruptedLossesExactly()
    {
        var straight = Train("straight", 20);
        var first = Train("split", 20, stopAfter: 12);
        Assert.True(first.Interrupted);
        Assert.Equal(12, first.FinalStep);
        var second = Train("split", 20, resume: true);
        Assert.Equal(12, second.History[0].Step);
        foreach (var (step, m) in second.History)
            Assert.Equal(straight.History[step].Metrics["loss"], m["loss"]);   // bit-identical
        var csv = MetricsLog.Read(Path.Combine(_dir, "split", "metrics.csv"));
        Assert.Equal(Enumerable.Range(1, 20), csv.Select(r => r.Step));
    }

    [Fact]
    public void NanLoss_SkipPolicy_SkipsAndCounts()
    {
        var r = Train("nan", 10, nanAt: 4);
        Assert.Equal(1, r.SkippedSteps);
        Assert.DoesNotContain(r.History, h => h.Step == 4);
    }

    [Fact]
    public void NanLoss_StopPolicy_NamesStepAndLastCheckpoint()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Train("nanstop", 10, nanAt: 7, nan: NanPolicy.Stop));
        Assert.Contains("step 7", e.Message);
        Assert.Contains("step-000005", e.Message);
    }

    [Fact]
    public void CheckpointStore_RefusesNaN_AndKeepsPreviousCheckpoint()
    {
        var store = new CheckpointStore(Path.Combine(_dir, "c"));
        store.Save(1, new Dictionary<string, Dictionary<string, Tensor>> { ["m"] = new() { ["w"] = ones(2) } }, new JsonObject());
        Assert.Throws<InvalidOperationException>(() =>
            store.Save(2, new Dictionary<string, Dictionary<string, Tensor>> { ["m"] = new() { ["w"] = tensor(new[] { 1f, float.NaN }) } }, new JsonObject()));
        Assert.EndsWith("step-000001", store.Latest());
    }

    [Fact]
    public void CheckpointStore_LeftoverTempFolderFromAKill_IsIgnored()
    {
        var store = new CheckpointStore(Path.Combine(_dir, "k"));
        store.Save(3, new Dictionary<string, Dictionary<string, Tensor>> { ["m"] = new() { ["w"] = ones(2) } }, new JsonObject());
        Directory.CreateDirectory(Path.Combine(store.Folder, ".tmp-step-000004-dead"));
        File.WriteAllText(Path.Combine(store.Folder, ".tmp-step-000004-dead", "m.safetensors"), "partial");
        Directory.CreateDirectory(Path.Combine(store.Folder, "step-000009"));          // no state.json: incomplete
        Assert.EndsWith("step-000003", store.Latest());
    }

    [Fact]
    public void CheckpointStore_Save_LeaksNoTensors()
    {
        var store = new CheckpointStore(Path.Combine(_dir, "leak"));
        var groups = new Dictionary<string, Dictionary<string, Tensor>> { ["m"] = new() { ["w"] = ones(2), ["b"] = zeros(3) } };
        store.Save(1, groups, new JsonObject());
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        store.Save(2, groups, new JsonObject());
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
