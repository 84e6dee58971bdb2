using LaMo.Cli.Commands;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Motion;
using LaMo.Tests.Motion;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>The global-draw rule for LaMo's losses, in one process: the mean over 2 shards of L_φ (with
/// <see cref="ShardedMotionPriorDraws"/>) and of the drift loss (with the global batch's weight) is the loss of the
/// whole batch, and the per-rank alternatives are not.</summary>
[Collection("Torch")]
public sealed class GlobalDrawTests
{
    private static readonly MotionPriorLossOptions Stochastic = new(CosineWeight: 0.3, NoiseAugProb: 0.5, NoiseAugScale: 0.3, PromptDropoutProb: 0.5);

    /// <summary>L_φ and ∂L_φ/∂φ for the videos of <paramref name="shard"/>, draws from seed 9.</summary>
    private static (double Loss, Tensor[] Grads) PriorLoss(MotionPrior prior, Tensor latents, Tensor prompt, Tensor table, DataShard shard, bool sharded)
    {
        using var seeded = new SeededMotionPriorDraws(9);
        IMotionPriorDraws draws = sharded ? new ShardedMotionPriorDraws(seeded, shard, latents.shape[1] - 1) : seeded;
        prior.zero_grad();
        var r = new MotionPriorLoss(Stochastic, draws).Compute(prior, shard.Take(latents), shard.Take(prompt), table);
        r.Loss.backward();
        return (r.Loss.item<float>(), prior.parameters().Select(p => p.grad?.clone() ?? zeros_like(p)).ToArray());
    }

    [Fact]
    public void PriorLoss_MeanOverTwoShards_EqualsTheGlobalBatch_LossAndGradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var prior = MotionPriorLossTests.RandomPrior();
        var latents = randn([4, 3, 4, 5, 5]);   // 4 videos × 2 pairs
        var prompt = randn(4, 32);
        var table = linspace(1.0, 0.0, 1000);
        var (global, globalGrads) = PriorLoss(prior, latents, prompt, table, DataShard.Single, sharded: false);

        // One rank through the wrapper: the very same draws.
        Assert.Equal(global, PriorLoss(prior, latents, prompt, table, DataShard.Single, sharded: true).Loss);

        var ranks = Enumerable.Range(0, 2).Select(r => PriorLoss(prior, latents, prompt, table, new DataShard(r, 2), sharded: true)).ToList();
        Assert.Equal(global, ranks.Average(x => x.Loss), 5);
        for (int i = 0; i < globalGrads.Length; i++)
        {
            var mean = (ranks[0].Grads[i] + ranks[1].Grads[i]) / 2;
            Assert.True(allclose(mean, globalGrads[i], rtol: 1e-4, atol: 1e-6), $"gradient {i}: max |Δ| {(mean - globalGrads[i]).abs().max().item<float>()}");
        }

        // Per-rank draws (each rank seeding the same stream for its own batch) are not the global batch's.
        double perRank = Enumerable.Range(0, 2).Average(r => PriorLoss(prior, latents, prompt, table, new DataShard(r, 2), sharded: false).Loss);
        Assert.True(Math.Abs(perRank - global) > 1e-4, $"per-rank draws gave {perRank} vs global {global}");
    }

    [Fact]
    public void ShardedDraws_GiveEachRankThePairsOfItsVideos()
    {
        using var scope = NewDisposeScope();
        var recorded = new RecordedMotionPriorDraws(arange(8f).reshape(8, 1), null, arange(8L), null);   // pair n → value n
        var rank1 = new ShardedMotionPriorDraws(recorded, new DataShard(1, 2), pairsPerVideo: 2);
        Assert.Equal([2f, 3f, 6f, 7f], rank1.PromptKeep(4).flatten().data<float>().ToArray());           // videos 1 and 3
        Assert.Equal([2L, 3L, 6L, 7L], rank1.AugmentTimesteps(4, 1000).data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => rank1.PromptKeep(3));                                   // not whole videos
    }

    [Fact]
    public void DriftLoss_WithTheGlobalWeight_AveragesToTheGlobalBatch_PerRankWeightDoesNot()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var x0Hat = randn([4, 5, 4, 4, 4]);
        var z0 = randn([4, 5, 4, 4, 4]);
        var t = tensor(new long[] { 50, 950, 100, 900 });   // rank 0 gets the low noise levels, rank 1 the high ones
        var drift = new MotionDriftLoss();
        double global = drift.ComputeFromTimesteps(x0Hat, z0, t).Total.item<float>();
        var shards = Enumerable.Range(0, 2).Select(r => new DataShard(r, 2)).ToList();
        double sharded = shards.Average(s => drift.ComputeWeighted(s.Take(x0Hat), s.Take(z0), drift.WeightFromTimesteps(t)).Total.item<float>());
        double perRank = shards.Average(s => drift.ComputeFromTimesteps(s.Take(x0Hat), s.Take(z0), s.Take(t)).Total.item<float>());
        Assert.Equal(global, sharded, 1e-5 * Math.Abs(global));
        Assert.True(Math.Abs(perRank - global) > 1e-3 * Math.Abs(global), $"per-rank weights gave {perRank} vs global {global}");
    }

    [Fact]
    public void MpiSession_ThreadsPerRank_SplitsTheCores()
    {
        Assert.Equal(1, MpiSession.ThreadsPerRank(2, 2));
        Assert.Equal(2, MpiSession.ThreadsPerRank(8, 3));
        Assert.Equal(1, MpiSession.ThreadsPerRank(1, 4));
        Assert.Equal(16, MpiSession.ThreadsPerRank(16, 0));
    }
}
