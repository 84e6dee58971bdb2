using LaMo.Data;
using LaMo.Distributed;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>The parts of the distributed code that need no MPI: bucket plans, the sharding rule, launcher detection.</summary>
public sealed class DistributedUnitTests
{
    [Fact]
    public void Plan_CutsTheConcatenationEveryCapacityElements_SplittingLargeTensors()
    {
        var buckets = GradientBuckets.Plan([3, 5, 0, 2], capacity: 4);
        Assert.Equal(3, buckets.Count);
        Assert.Equal([new BucketSegment(0, 0, 0, 3), new BucketSegment(1, 0, 3, 1)], buckets[0]);
        Assert.Equal([new BucketSegment(1, 1, 0, 4)], buckets[1]);
        Assert.Equal([new BucketSegment(3, 0, 0, 2)], buckets[2]);
    }

    [Fact]
    public void Plan_CoversEveryElementOnce()
    {
        long[] sizes = [7, 1, 13, 4, 25, 2];
        var seen = sizes.Select(n => new int[n]).ToArray();
        foreach (var bucket in GradientBuckets.Plan(sizes, capacity: 6))
        {
            Assert.True(bucket.Sum(s => s.Count) <= 6);
            long expectedOffset = 0;
            foreach (var s in bucket)
            {
                Assert.Equal(expectedOffset, s.BucketOffset);   // segments are packed back to back
                expectedOffset += s.Count;
                for (long i = 0; i < s.Count; i++) seen[s.Tensor][s.TensorOffset + i]++;
            }
        }
        Assert.All(seen.SelectMany(x => x), c => Assert.Equal(1, c));
    }

    [Fact]
    public void Plan_CapacityZero_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientBuckets.Plan([1], 0));

    [Fact]
    public void Shard_RankTakesEveryNthItem()
    {
        Assert.Equal([1, 5], new DataShard(1, 4).Indices(8));
        Assert.Equal([0, 1, 2], DataShard.Single.Indices(3));
        using var scope = NewDisposeScope();
        var batch = arange(12).reshape(6, 2);   // [B_global = 6, 2]
        var mine = new DataShard(2, 3).Take(batch);
        Assert.Equal([2L, 2L], mine.shape);
        Assert.Equal([4L, 5L, 10L, 11L], mine.flatten().data<long>().ToArray());
    }

    [Fact]
    public void Shard_ShardsOfAllRanksPartitionTheGlobalBatch()
    {
        var all = Enumerable.Range(0, 4).SelectMany(r => new DataShard(r, 4).Indices(12)).Order();
        Assert.Equal(Enumerable.Range(0, 12), all);
    }

    [Fact]
    public void Shard_GlobalBatchNotAMultipleOfRanks_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataShard(0, 4).LocalBatch(10));
        Assert.Equal("global_batch", e.ParamName);
        Assert.Contains("(10)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataShard(4, 4).Validate());
    }

    [Fact]
    public void TryInitialize_WithoutMpiLauncher_ReturnsNullAndLoadsNothing()
    {
        if (MpiContext.LaunchedByMpi) return;   // this process itself runs under mpirun
        Assert.Null(MpiContext.TryInitialize());
    }
}
