using LaMo.Data;
using LaMo.Training;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>The whole command sequence at miniature size: world → vae train → pipeline init → encode → train (baseline
/// and LaMo, LoRA) → prior train → sample, through the CLI, plus kill-and-resume of a training run.</summary>
[Collection("Torch")]
public sealed class MiniatureChainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-chain-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void WorldToGuidedSamples_RunsEndToEnd()
    {
        RelyKit.Ok("world", "generate", "--scenarios", "s1,s3", "--count", "4", "--size", "32", "--frames", "9", "--seed", "3", "--out", P("world"));
        RelyKit.Ok("vae", "train", "--data", P("world"), "--out", P("vae"), "--steps", "4", "--batch-size", "2", "--frames", "9", "--size", "32");
        RelyKit.Ok("pipeline", "init", "--out", P("base0"), "--vae", P("vae/vae"), "--transformer-config", "configs/tiny/transformer/config.json");
        RelyKit.Ok("encode", "--data", P("world"), "--pipeline", P("base0"), "--out", P("cache"), "--frames", "9", "--size", "32");
        using (var cache = LatentCache.Open(P("cache"))) Assert.Equal(8, cache.Count);
        string[] common = ["--cache", P("cache"), "--set", "steps=3", "--set", "batch_size=2", "--set", "warmup_steps=1"];
        RelyKit.Ok(["train", "--init", P("base0"), "--out", P("base"), .. common]);
        RelyKit.Ok(["train", "--init", P("base/pipeline"), "--out", P("ft-plain"), "--set", "mode=lora", .. common]);
        RelyKit.Ok(["train", "--init", P("base/pipeline"), "--out", P("ft-lamo"), "--set", "mode=lora", "--drift-loss", "--predictor", "--set", "predictor_config=tiny", .. common]);
        RelyKit.Ok("prior", "train", "--cache", P("cache"), "--out", P("prior"), "--set", "predictor_config=tiny", "--set", "steps=2", "--set", "batch_size=2");
        RelyKit.Ok("sample", "--pipeline", P("base/pipeline"), "--lora", P("ft-lamo/lora/pytorch_lora_weights.safetensors"), "--predictor", P("ft-lamo/predictor"),
            "--guidance", "--prompt", "a red ball moves", "--steps", "3", "--frames", "9", "--size", "32", "--out", P("samples"));
        Assert.True(new FileInfo(P("samples/p000_s0.mp4")).Length > 0);
        var lamoMetrics = MetricsLog.Read(P("ft-lamo/metrics.csv"));
        Assert.Contains("drift", lamoMetrics[^1].Values.Keys);
        Assert.Contains("prior", lamoMetrics[^1].Values.Keys);
        Assert.DoesNotContain("drift", MetricsLog.Read(P("ft-plain/metrics.csv"))[^1].Values.Keys);
    }
}
