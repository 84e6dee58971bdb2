using System.Text.Json.Nodes;
using LaMo.Data;
using LaMo.Diffusion.Pipeline;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Workflows;

/// <summary>Issue 19: the CLI journey of <see cref="UserJourneyTests"/> on a tiny Wan-architecture pipeline, with the same
/// commands: pipeline init --family wan → encode → train (LoRA with drift loss and joint predictor; full) → sample
/// (text-to-video with the LoRA and Motion Prior Guidance; continuation of world clips).</summary>
[Collection("Torch")]
public sealed class WanUserJourneyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-wan-journey-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    // The tiny Wan VAE config with per-channel statistics that are not the identity.
    private string VaeConfigWithStats(double[] mean, double[] std)
    {
        var config = JsonNode.Parse(File.ReadAllText(RelyKit.Repo("configs/tiny-wan/vae/config.json")))!;
        config["latents_mean"] = new JsonArray(mean.Select(m => (JsonNode)m).ToArray());
        config["latents_std"] = new JsonArray(std.Select(s => (JsonNode)s).ToArray());
        string path = P($"vae-{mean[0]}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static Tensor Latents(string cache)
    {
        var shard = LatentCache.Shards(cache).First();
        var (_, _, latents, embeds, mask) = LatentCache.ReadShard(shard);
        embeds.Dispose(); mask.Dispose();
        return latents;
    }

    [Fact]
    public void InitEncodeTrainSample_OnATinyWanPipeline()
    {
        RelyKit.Ok("world", "generate", "--split", "train", "--scenarios", "s1", "--count", "4", "--seed", "1", "--out", P("world"), "--size", "32", "--frames", "9");
        string said = RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", P("base"));
        Assert.Contains("freshly initialised", said);
        Assert.Equal(WanModelIndex.PipelineClass, WanModelIndex.PipelineClassOf(P("base")));
        // A Wan VAE folder is taken as trained: loaded, not re-initialised (the same weights, another seed).
        Assert.DoesNotContain("freshly", RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", P("again"), "--vae", P("base/vae"), "--seed", "9"));
        Assert.Equal(File.ReadAllBytes(Directory.GetFiles(P("base/vae"), "*.safetensors").Single()),
            File.ReadAllBytes(Directory.GetFiles(P("again/vae"), "*.safetensors").Single()));

        // encode: Wan VAE latents, normalised per channel as WanPipeline does, stored frames-first [F', C, h, w].
        RelyKit.Ok("encode", "--data", P("world"), "--pipeline", P("base"), "--out", P("cache"), "--frames", "9");
        using (var cache = LatentCache.Open(P("cache"), inMemoryLimitBytes: 0))
        {
            Assert.Equal(new long[] { 3, 8, 4, 4 }, cache.LatentShape);   // 9 frames → 1 + 8/4; 32 px / 8
            Assert.Equal(4, cache.Count);
        }
        double[] mean = [0.5, -0.25, 0, 0, 1, 0, 0, -1], std = [2, 0.5, 1, 1, 4, 1, 1, 1];
        RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", P("stats"), "--vae", VaeConfigWithStats(mean, std));   // same seed: same weights
        RelyKit.Ok("encode", "--data", P("world"), "--pipeline", P("stats"), "--out", P("cache-stats"), "--frames", "9");
        using (var scope = NewDisposeScope())
        {
            var raw = Latents(P("cache"));                                                  // statistics 0 / 1: the VAE's own mode
            var m = tensor(mean.Select(x => (float)x).ToArray()).view(1, 1, 8, 1, 1);
            var s = tensor(std.Select(x => (float)x).ToArray()).view(1, 1, 8, 1, 1);
            var expected = raw.sub(m).div(s);
            var actual = Latents(P("cache-stats"));
            Assert.True(raw.abs().max().item<float>() > 0);
            Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"max |diff| {actual.sub(expected).abs().max().item<float>()}");
        }

        // train: LoRA with LaMo's drift loss and the joint predictor, through the flow objective; and a full fine-tune.
        string[] fineTune = ["--cache", P("cache"), "--init", P("base"), "--set", "steps=2", "--set", "batch_size=2", "--set", "warmup_steps=1"];
        string trained = RelyKit.Ok(["train", "--out", P("lamo"), "--set", "mode=lora", "--drift-loss", "--predictor", "--set", "predictor_config=tiny",
            "--set", "predictor_warmup_steps=1", .. fineTune]);
        Assert.Contains("\"wan\"", trained);                                                   // the plan names the Wan backbone
        Assert.Contains("UniPCMultistepScheduler", trained);
        Assert.True(File.Exists(P("lamo/lora/pytorch_lora_weights.safetensors")));
        var header = File.ReadLines(P("lamo/metrics.csv")).First();
        Assert.Contains("drift", header);
        RelyKit.Ok(["train", "--out", P("full"), .. fineTune]);
        string resumed = RelyKit.Ok("train", "--cache", P("cache"), "--init", P("base"), "--out", P("full"), "--set", "steps=3", "--set", "batch_size=2",
            "--set", "warmup_steps=1", "--resume");
        Assert.Contains("resuming from step-000002", resumed);
        // prior train on the Wan cache: the augmentation imitates the encoding pipeline's flow σ (UniPC, shift 3).
        string prior = RelyKit.Ok("prior", "train", "--cache", P("cache"), "--out", P("prior"), "--set", "steps=2", "--set", "batch_size=2",
            "--set", "predictor_config=tiny", "--set", "warmup_steps=1");
        Assert.Contains("\"flow\"", prior);
        Assert.True(Directory.Exists(P("prior/predictor")));
        using (var reloaded = PipelineFolder.LoadWan(P("full/pipeline")))
            Assert.NotNull(reloaded.Vae);

        // sample: text-to-video through WanPipeline with the LoRA and Motion Prior Guidance by the joint predictor.
        string sampled = RelyKit.Ok("sample", "--pipeline", P("base"), "--lora", P("lamo/lora/pytorch_lora_weights.safetensors"), "--predictor", P("lamo/predictor"),
            "--guidance", "--prompt", "a red ball rolls to the right", "--seed", "3", "--steps", "2", "--cfg", "2", "--frames", "9", "--size", "32", "--out", P("videos"));
        Assert.Contains("text-to-video", sampled);
        Assert.Single(Directory.GetFiles(P("videos"), "*.mp4"));
        Assert.Contains("UniPCMultistepScheduler", File.ReadAllText(P("videos/sample.json")));

        // Continuation on Wan: the first 5 RGB frames (2 latent frames) of each world clip given, the rest generated.
        RelyKit.Ok("world", "generate", "--split", "test-id", "--scenarios", "s1", "--count", "1", "--seed", "2", "--out", P("test"), "--size", "32", "--frames", "9");
        string continued = RelyKit.Ok("sample", "--pipeline", P("base"), "--world", P("test"), "--given-frames", "5", "--steps", "2", "--out", P("cont"));
        Assert.Contains("continuation", continued);
        Assert.Single(Directory.GetFiles(P("cont"), "*.mp4"));
        var record = LaMo.Workflows.SampleRecord.TryLoad(P("cont"))!;
        Assert.Equal(LaMo.Workflows.SampleRecord.ContinuationMode, record.Mode);
        Assert.Equal(5, record.GivenFrames);
        // Without given frames, --world is text-to-video on every clip's caption, named by clip id.
        RelyKit.Ok("sample", "--pipeline", P("base"), "--world", P("test"), "--steps", "2", "--out", P("world-videos"));
        Assert.Equal(Directory.GetFiles(Path.Combine(P("test"), "videos"), "*.json").Select(Path.GetFileNameWithoutExtension).Order(),
            Directory.GetFiles(P("world-videos"), "*.mp4").Select(Path.GetFileNameWithoutExtension).Order());

        foreach (var file in new[] { "cache/cache.json", "lamo/run.json", "prior/run.json", "videos/sample.json" })
            Assert.DoesNotContain(_dir, File.ReadAllText(P(file)));
    }

    [Fact]
    public void Bf16Base_LoraWithDriftTrains_AndSamples()
    {
        RelyKit.Ok("world", "generate", "--split", "train", "--scenarios", "s1", "--count", "2", "--seed", "4", "--out", P("world"), "--size", "32", "--frames", "9");
        RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", P("base"), "--seed", "2");
        RelyKit.Ok("encode", "--data", P("world"), "--pipeline", P("base"), "--out", P("cache"), "--frames", "9");
        string trained = RelyKit.Ok("train", "--cache", P("cache"), "--init", P("base"), "--out", P("lora"), "--set", "mode=lora", "--set", "weight_dtype=bf16",
            "--drift-loss", "--set", "steps=1", "--set", "batch_size=2");
        Assert.Contains("drift=", trained);
        RelyKit.Ok("sample", "--pipeline", P("base"), "--lora", P("lora/lora/pytorch_lora_weights.safetensors"), "--dtype", "bf16",
            "--prompt", "a ball", "--seed", "1", "--steps", "2", "--frames", "9", "--size", "32", "--out", P("videos"));
        Assert.Single(Directory.GetFiles(P("videos"), "*.mp4"));

        // gradient_checkpointing on Wan: the same run, block by block recomputed in backward.
        string[] full = ["train", "--cache", P("cache"), "--init", P("base"), "--drift-loss", "--set", "steps=2", "--set", "batch_size=2",
            "--set", "warmup_steps=1", "--set", "log_every=1"];
        RelyKit.Ok([.. full, "--out", P("plain")]);
        long before = LaMo.Models.ActivationCheckpoint.Recomputed;
        RelyKit.Ok([.. full, "--out", P("ckpt"), "--set", "gradient_checkpointing=true"]);
        Assert.True(LaMo.Models.ActivationCheckpoint.Recomputed > before, "no Wan block was recomputed");
        static double[] Losses(string csv) => File.ReadLines(csv).Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        double[] plainLosses = Losses(P("plain/metrics.csv")), ckptLosses = Losses(P("ckpt/metrics.csv"));
        Assert.Equal(2, plainLosses.Length);
        for (int i = 0; i < 2; i++) Assert.Equal(plainLosses[i], ckptLosses[i], 5);
    }
}
