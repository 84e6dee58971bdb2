using LaMo.Data;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Data;

public sealed class LatentCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-cache-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly LatentCacheManifest Manifest = new("vae", "words", 1.0, 17, 64, 64, ShardSize: 2);

    private static void AddClip(LatentCacheWriter w, int i) =>
        w.Add($"clip{i}", $"caption {i}", full(new long[] { 5, 4, 8, 8 }, (float)i), full(new long[] { 6, 3 }, (float)-i), ones(6));

    [Fact]
    public void WriteInterruptResume_StoresEachClipOnce_InOrder()
    {
        using (var w = new LatentCacheWriter(_dir, Manifest))
            for (int i = 0; i < 3; i++) AddClip(w, i);          // shard 0 (2 clips) + shard 1 (1 clip, on dispose)
        using (var w = new LatentCacheWriter(_dir, Manifest))
        {
            Assert.Equal(3, w.Done.Count);
            for (int i = 0; i < 5; i++) if (!w.Done.Contains($"clip{i}")) AddClip(w, i);
        }
        using var cache = LatentCache.Open(_dir);
        Assert.Equal(5, cache.Count);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"clip{i}"), cache.Items.Select(x => x.Id));
        Assert.Equal(3f, cache[3].Latents[0, 0, 0, 0].item<float>());
        var (lat, emb, mask) = cache.Batch([4, 1]);
        Assert.Equal(new long[] { 2, 5, 4, 8, 8 }, lat.shape);
        Assert.Equal(-4f, emb[0, 0, 0].item<float>());
        Assert.Equal(new long[] { 2, 6 }, mask.shape);
    }

    [Fact]
    public void OtherSettings_AreRefused()
    {
        using (var w = new LatentCacheWriter(_dir, Manifest)) AddClip(w, 0);
        var e = Assert.Throws<InvalidDataException>(() => new LatentCacheWriter(_dir, Manifest with { Frames = 33 }));
        Assert.Contains("other settings", e.Message);
    }

    [Fact]
    public void DuplicateClip_IsRejected()
    {
        using var w = new LatentCacheWriter(_dir, Manifest);
        AddClip(w, 0);
        Assert.Throws<ArgumentException>(() => AddClip(w, 0));
    }

    [Fact]
    public void CorruptShard_NamesTheFile()
    {
        using (var w = new LatentCacheWriter(_dir, Manifest)) { AddClip(w, 0); AddClip(w, 1); }
        string shard = LatentCache.Shards(_dir)[0];
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..100]);
        var e = Assert.Throws<InvalidDataException>(() => LatentCache.Open(_dir));
        Assert.Contains(shard, e.Message);
    }
}
