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

    [Fact]
    public void StreamedCache_ReadsTheSameTensorsAsInMemory()
    {
        using (var w = new LatentCacheWriter(_dir, Manifest))
            for (int i = 0; i < 5; i++)
                w.Add($"clip{i}", $"caption {i}", randn(5, 4, 8, 8), randn(6, 3), (rand(6) > 0.5).to_type(ScalarType.Float32));
        using var memory = LatentCache.Open(_dir);
        using var streamed = LatentCache.Open(_dir, inMemoryLimitBytes: 0);
        Assert.False(memory.Streamed);
        Assert.True(streamed.Streamed);
        Assert.Equal(memory.Ids, streamed.Ids);
        Assert.Equal(new long[] { 5, 4, 8, 8 }, streamed.LatentShape);
        Assert.Equal(new long[] { 6, 3 }, streamed.EmbedShape);
        int[] pick = [4, 0, 2, 2, 3];   // across both shards, repeated, out of order
        var (l1, e1, m1) = memory.Batch(pick);
        var (l2, e2, m2) = streamed.Batch(pick);
        Assert.True(l1.equal(l2).all().item<bool>() && e1.equal(e2).all().item<bool>() && m1.equal(m2).all().item<bool>());
        var item = streamed[3];
        Assert.Equal("caption 3", item.Caption);
        Assert.True(item.Latents.equal(memory[3].Latents).all().item<bool>());
    }

    [Fact]
    public void ReadRows_ReadsOnlyTheRequestedRows_AndRefusesOthers()
    {
        string path = Path.Combine(_dir, "rows.safetensors");
        var t = arange(24, dtype: ScalarType.Float32).reshape(4, 3, 2);
        LaMo.Core.SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["x"] = t });
        using var f = LaMo.Core.SafetensorsFile.Open(path);
        Assert.True(f.ReadRows("x", 1, 2).equal(t.narrow(0, 1, 2)).all().item<bool>());
        Assert.Equal(new long[] { 0, 3, 2 }, f.ReadRows("x", 4, 0).shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => f.ReadRows("x", 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.ReadRows("x", -1, 1));
    }

    [Fact]
    public void OldCacheWithAbsolutePaths_ResumesWithTheSameFolders_AndRefusesOthers()
    {
        string vae = Path.Combine(_dir, "pipe", "vae"), text = Path.Combine(_dir, "pipe", "text_encoder"), cache = Path.Combine(_dir, "cache");
        Directory.CreateDirectory(cache);
        File.WriteAllText(Path.Combine(cache, "cache.json"),   // as older versions wrote it
            $$"""{"vae": "{{vae}}", "text_encoder": "{{text}}", "scaling_factor": 1, "frames": 17, "height": 64, "width": 64, "shard_size": 2, "format": "lamo-latent-cache-v1"}""");
        Assert.Equal(vae, LatentCache.ReadManifest(cache).Vae);
        var manifest = Manifest with { Vae = vae + "/", TextEncoder = Path.Combine(_dir, "pipe", ".", "text_encoder") };   // same folders, other spelling
        using (var w = new LatentCacheWriter(cache, manifest)) AddClip(w, 0);
        var e = Assert.Throws<InvalidDataException>(() => new LatentCacheWriter(cache, manifest with { Vae = Path.Combine(_dir, "other", "vae") }));
        Assert.Contains("other settings", e.Message);
    }

    [Fact]
    public void NewCache_StoresPathsRelativeToItsFolder()
    {
        string cache = Path.Combine(_dir, "work", "cache");
        using (var w = new LatentCacheWriter(cache, Manifest with { Vae = Path.Combine(_dir, "work", "pipe", "vae"), TextEncoder = Path.Combine(_dir, "t5") })) AddClip(w, 0);
        string json = File.ReadAllText(Path.Combine(cache, "cache.json"));
        Assert.Contains("\"../pipe/vae\"", json);
        Assert.Contains("\"../../t5\"", json);
        Assert.Equal(Path.Combine(_dir, "work", "pipe", "vae"), LatentCache.ReadManifest(cache).Vae);
    }
}
