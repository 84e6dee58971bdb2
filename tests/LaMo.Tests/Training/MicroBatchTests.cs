using LaMo.Data;
using LaMo.Distributed;
using LaMo.Training;
using LaMo.Workflows;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

/// <summary>Gradient accumulation: batch_size B in passes of micro_batch_size m follows the one-pass run.</summary>
[Collection("Torch")]
public sealed class MicroBatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-micro-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void MicroShards_PartitionTheRanksItems_AndRefuseNonDivisors()
    {
        for (int n = 1; n <= 2; n++)
            for (int r = 0; r < n; r++)
            {
                var shard = new DataShard(r, n);
                var passes = shard.MicroShards(8, 1);
                Assert.Equal(8 / n, passes.Count);
                Assert.Equal(shard.Indices(8).Order(), passes.SelectMany(p => p.Indices(8)).Order());
                Assert.Single(shard.MicroShards(8, 0));
            }
        Assert.Contains("micro_batch_size", Assert.Throws<ArgumentException>(() => new DataShard(0, 2).MicroShards(8, 3)).Message);
    }

    private static void AssertSameRun(TrainingResult a, TrainingResult b, string group)
    {
        Assert.Equal(a.History.Count, b.History.Count);
        for (int i = 0; i < a.History.Count; i++)
            foreach (var (k, v) in a.History[i].Metrics)
                Assert.True(Math.Abs(v - b.History[i].Metrics[k]) <= 1e-5 * Math.Max(1, Math.Abs(v)), $"step {i} {k}: {v:R} vs {b.History[i].Metrics[k]:R}");
        var wa = CheckpointStore.ReadGroup(a.LastCheckpoint!, group);
        var wb = CheckpointStore.ReadGroup(b.LastCheckpoint!, group);
        // AdamW divides each gradient by its own running RMS: a parameter whose gradient is ~0 (a norm bias) turns float
        // rounding into steps of up to lr = 1e-3, hence an absolute tolerance of 1e-5 (1 % of one step) on the weights.
        foreach (var (k, t) in wa) Assert.True(allclose(t, wb[k], rtol: 1e-5, atol: 1e-5), $"{k}: max |Δ| {(t - wb[k]).abs().max().item<float>()}");
    }

    [Fact]
    public void BackboneWithDriftAndJointPredictor_FourPassesOfOne_EqualOnePassOfFour()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 6);
        BackboneTrainingOptions O(string run, int micro) => new()
        {
            Cache = cache, Out = Path.Combine(_dir, run), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
            Steps = 3, BatchSize = 4, MicroBatchSize = micro, WarmupSteps = 1, LearningRate = 1e-3, DriftLoss = true, Predictor = true,
            PredictorConfig = "tiny", LogEvery = 1, CheckpointEvery = 10,
        };
        var whole = BackboneWorkflow.Run(O("whole", 0));
        var passes = BackboneWorkflow.Run(O("passes", 1));
        AssertSameRun(whole, passes, "transformer");
        AssertSameRun(whole, passes, "predictor");
    }

    [Fact]
    public void Predictor_TwoPassesOfTwo_EqualOnePassOfFour()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 6);
        PredictorTrainingOptions O(string run, int micro) => new()
        {
            Cache = cache, Out = Path.Combine(_dir, run), PredictorConfig = "tiny", Steps = 3, BatchSize = 4, MicroBatchSize = micro, WarmupSteps = 1,
            LogEvery = 1, CheckpointEvery = 10,
        };
        AssertSameRun(PriorWorkflow.Run(O("whole", 0)), PriorWorkflow.Run(O("passes", 2)), "predictor");
    }
}
