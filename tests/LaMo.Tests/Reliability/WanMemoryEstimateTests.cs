using LaMo.Models.Wan;
using LaMo.Models.WanVae;
using LaMo.Reliability;
using Xunit;

namespace LaMo.Tests.Reliability;

/// <summary>Issue 19: the up-front memory estimates cover Wan sampling and training at the published sizes (Wan 2.1 T2V
/// 1.3B / 14B, Wan 2.2 TI2V 5B), so a real run is refused or allowed before anything is loaded, as for CogVideoX.</summary>
[Collection("Torch")]
public sealed class WanMemoryEstimateTests : IDisposable
{
    private const long GB = 1L << 30;
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-wanmem-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    // A Wan folder (model_index.json, UniPC) whose configs are a published model's: its weights are the tiny init's, so
    // any attempt to load them would fail with another error than the refusal.
    private string PublishedFolder(string name, string configs)
    {
        string folder = P(name);
        RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", folder);
        foreach (var component in new[] { "transformer", "vae", "text_encoder" })
        {
            string source = RelyKit.Repo(Path.Combine(configs, component, "config.json"));
            if (File.Exists(source)) File.Copy(source, Path.Combine(folder, component, "config.json"), overwrite: true);
        }
        return folder;
    }

    [Fact]
    public void Training14B_On24GB_IsRefusedUpFront_InOneLine_And1_3BLoraBf16Fits()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        string big = PublishedFolder("wan14b", "configs/wan2.1-t2v-14b");
        var (rc, _, err) = RelyKit.Cli("train", "--cache", cache, "--init", big, "--out", P("run"), "--set", "max_memory_gb=24", "--set", "batch_size=1");
        Assert.Equal(1, rc);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("lamo train (Wan, full", err);
        Assert.Contains("needs about", err);
        Assert.False(Directory.Exists(P("run")));

        // Even LoRA with a bf16 base does not fit: 14.29 B weights × 2 bytes = 26.6 GB > 0.9 × 24 GB.
        string lora = RelyKit.Ok("train", "--cache", cache, "--init", big, "--out", P("run"), "--set", "max_memory_gb=24", "--set", "batch_size=1",
            "--set", "mode=lora", "--set", "weight_dtype=bf16", "--dry-run");
        Assert.Contains("does NOT fit", lora);
        string small = PublishedFolder("wan1_3b", "configs/wan2.1-t2v-1.3b");
        string fits = RelyKit.Ok("train", "--cache", cache, "--init", small, "--out", P("run"), "--set", "max_memory_gb=24", "--set", "batch_size=1",
            "--set", "mode=lora", "--set", "weight_dtype=bf16", "--dry-run");
        Assert.Contains("fits; dry run", fits);
        Assert.False(Directory.Exists(P("run")));
    }

    [Fact]
    public void TrainingEstimate_CountsThePublishedParameters()
    {
        var full = MemoryEstimate.ForTraining(WanTransformerPresets.Wan21T2V14B, 1000, 1);
        Assert.Equal(14_288_491_584L * 4, full.Weights);           // the published 14B total, fp32
        Assert.Equal(14_288_491_584L * 4, full.Gradients);
        Assert.Equal(14_288_491_584L * 8, full.OptimizerState);
        var checkpointed = MemoryEstimate.ForTraining(WanTransformerPresets.Wan21T2V14B, 1000, 1, checkpointing: true);
        Assert.True(checkpointed.Activations < full.Activations / 4);
    }

    [Fact]
    public void SamplingEstimate_AtThePublishedSizes()
    {
        // Wan 2.1 1.3B at 81 × 480 × 832: 21 latent frames × 30 × 52 patches (8× VAE, 1×2×2 patches) + 512 prompt tokens.
        string small = PublishedFolder("s1_3b", "configs/wan2.1-t2v-1.3b");
        var e = PipelineMemory.Estimate(small, 81, 480, 832, bytesPerWeight: 2);
        Assert.Equal(21L * 30 * 52 + 512, e.Tokens);
        var vae21 = AutoencoderKLWanConfig.Load(RelyKit.Repo("configs/wan2.1-t2v-1.3b/vae/config.json"));
        long umt5 = LaMo.Diffusion.Pipeline.PipelineFolderLimits.TextEncoderParameters(small);
        Assert.True(umt5 > 5_000_000_000L, $"UMT5-XXL counted: {umt5}");
        Assert.Equal((1_418_996_800L + umt5) * 2 + WanVaeLimits.Parameters(vae21) * 4, e.Weights);
        e.EnsureFits(24 * GB);                                      // the 1.3B model's advertised consumer-GPU size

        // Wan 2.2 TI2V 5B at 121 × 704 × 1280: its VAE compresses 16× in space (patch 2): 31 × 22 × 40 patches.
        string ti2v = PublishedFolder("s5b", "configs/wan2.2-ti2v-5b");
        Assert.Equal(31L * 22 * 40 + 512, PipelineMemory.Estimate(ti2v, 121, 704, 1280, bytesPerWeight: 2).Tokens);

        // 14B in bf16 needs its 26.6 GB of weights: refused on 24 GB, by the CLI too, before loading.
        string big = PublishedFolder("s14b", "configs/wan2.1-t2v-14b");
        Assert.Throws<InsufficientMemoryException>(() => PipelineMemory.Estimate(big, 81, 480, 832, bytesPerWeight: 2).EnsureFits(24 * GB));
        var (rc, _, err) = RelyKit.Cli("sample", "--pipeline", big, "--prompt", "a ball", "--frames", "81", "--height", "480", "--width", "832",
            "--dtype", "bf16", "--max-memory", "24G", "--out", P("videos"));
        Assert.Equal(1, rc);
        Assert.Contains("lamo sample (Wan", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(P("videos")));
    }
}
