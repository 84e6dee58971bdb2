using LaMo.Models.CogVideoXVae;
using LaMo.Core;
using System.Diagnostics;
using System.Text.Json.Nodes;
using LaMo.Models.CogVideoX;
using LaMo.Reliability;
using LaMo.Training;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Reliability;

/// <summary>Issue 9, item 5: runs that cannot fit are refused up front with the estimate and the options; a full disk
/// while checkpointing leaves the previous checkpoint intact.</summary>
public sealed class ResourceLimitTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private const long GB = 1L << 30;

    [Fact]
    public void CogVideoX2B_Fp32FullTraining_On24GB_IsRefusedWithEstimateAndOptions()
    {
        var c = CogVideoXTransformerConfig.Load(RelyKit.Repo("configs/cogvideox-2b/transformer/config.json"));
        long tokens = 226 + 13 * 30 * 45;                                 // 49 frames at 480x720
        var full = MemoryEstimate.ForTraining(c, tokens, batchSize: 1);
        Assert.InRange(full.Weights, 6 * GB, 8 * GB);                     // ~1.7e9 parameters x 4 bytes
        Assert.True(full.OptimizerState == 2 * full.Weights);
        var e = Assert.Throws<InsufficientMemoryException>(() => full.EnsureFits(24 * GB));
        foreach (var word in new[] { "needs about", "24.0 GB", "bf16", "chunking", "smaller preset", "LoRA" }) Assert.Contains(word, e.Message);
        // LoRA removes the full gradients and optimizer state: far smaller.
        var lora = MemoryEstimate.ForTraining(c, tokens, 1, trainableParameters: 4L * 30 * 128 * 2 * c.InnerDim, mode: "lora");
        Assert.True(lora.Gradients + lora.OptimizerState < full.OptimizerState / 10);
        // The tiny preset fits easily.
        var tiny = CogVideoXTransformerConfig.Load(RelyKit.Repo("configs/tiny/transformer/config.json"));
        MemoryEstimate.ForTraining(tiny, 16 + 3 * 2 * 2, 2).EnsureFits(1 * GB);
    }

    [Fact]
    public void LamoTrain_2BConfigOn24GB_RefusedBeforeBuildingTheModel()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-mem-").FullName;
        try
        {
            string cache = RelyKit.SyntheticCache(dir, clips: 2);
            long before = GC.GetTotalAllocatedBytes(true);
            var sw = Stopwatch.StartNew();
            var (rc, _, err) = RelyKit.Cli("train", "--cache", cache, "--out", Path.Combine(dir, "run"),
                "--set", $"transformer_config={RelyKit.Repo("configs/cogvideox-2b/transformer/config.json")}", "--set", "max_memory_gb=24", "--set", "batch_size=1");
            Assert.Equal(1, rc);
            Assert.Contains("needs about", err);
            Assert.Contains("LoRA", err);
            Assert.True(sw.Elapsed.TotalSeconds < 30, $"refusal took {sw.Elapsed}");
            Assert.False(Directory.Exists(Path.Combine(dir, "run", "checkpoints")));
            // The same run with the tiny preset and the same budget is accepted (and trains a step).
            RelyKit.Ok("train", "--cache", cache, "--out", Path.Combine(dir, "run2"), "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}",
                "--set", "max_memory_gb=24", "--set", "steps=1", "--set", "batch_size=1");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LamoSample_HugeResolutionAndFrames_RefusedBeforeLoadingWeights()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-mem-").FullName;
        try
        {
            // Configs only, no weights: a refusal must not need them.
            Directory.CreateDirectory(Path.Combine(dir, "pipe", "transformer"));
            Directory.CreateDirectory(Path.Combine(dir, "pipe", "vae"));
            File.Copy(RelyKit.Repo("configs/tiny/transformer/config.json"), Path.Combine(dir, "pipe", "transformer", "config.json"));
            File.Copy(RelyKit.Repo("configs/tiny/vae/config.json"), Path.Combine(dir, "pipe", "vae", "config.json"));
            var (rc, _, err) = RelyKit.Cli("sample", "--pipeline", Path.Combine(dir, "pipe"), "--prompt", "a ball", "--frames", "1001", "--size", "4096",
                "--max-memory", "8G", "--out", Path.Combine(dir, "out"));
            Assert.Equal(1, rc);
            Assert.Contains("needs about", err);
            Assert.Contains("lamo sample (1001 frames, 4096x4096", err);
            // The estimate grows with tokens² (attention): a small request fits in the same budget.
            var small = PipelineMemory.Estimate(Path.Combine(dir, "pipe"), 9, 32, 32);
            small.EnsureFits(8 * GB);
            Assert.True(PipelineMemory.Estimate(Path.Combine(dir, "pipe"), 1001, 4096, 4096).Total > 1000 * small.Total);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SamplingEstimate_AtCogVideoX2BScale_FitsAWorkstation_AndTilingShrinksTheDecode()
    {
        // 49 × 480 × 720 with the real 2B configs: 17,550 video + 226 text tokens. With N² attention scores and a
        // whole-video decode the old estimate was ~130 GB and refused every real run; flash SDPA and chunked decoding
        // need neither (see MemoryEstimate's remarks for the measurement).
        var transformer = LaMo.Models.CogVideoX.TransformerLimits.Load(RelyKit.Repo("configs/cogvideox-2b/transformer/config.json"));
        var vae = LaMo.Models.CogVideoXVae.VaeLimits.Load(RelyKit.Repo("configs/cogvideox-2b/vae/config.json"));
        var plain = MemoryEstimate.ForSampling(transformer, vae, 49, 480, 720, 226, bytesPerElement: 2);
        var tiled = MemoryEstimate.ForSampling(transformer, vae, 49, 480, 720, 226, bytesPerElement: 2, vaeTiling: true);
        Assert.Equal(17_550 + 226, plain.Tokens);
        Assert.True(plain.Weights > 3L * GB && plain.Weights < 5L * GB, $"weights {plain.Weights / (double)GB:F2} GB");   // 1.69 B bf16 + VAE fp32
        Assert.True(plain.Total < 32L * GB, $"{plain.Total / (double)GB:F1} GB");
        Assert.True(tiled.Activations < plain.Activations);
        plain.EnsureFits(64L * GB);
    }

    [Fact]
    public void T5Configs_AreCountedExactly_AndAbsurdOnesRefusedBeforeAllocation()
    {
        Assert.Equal(4_762_310_656, LaMo.Models.Text.T5Limits.Parameters(LaMo.Models.Text.T5Config.T5V11Xxl));   // the meta-device count
        using (var tiny = new LaMo.Models.Text.T5EncoderModel(LaMo.Models.Text.T5Config.Tiny))
            Assert.Equal(tiny.parameters().Sum(p => p.numel()), LaMo.Models.Text.T5Limits.Parameters(LaMo.Models.Text.T5Config.Tiny));
        string dir = Directory.CreateTempSubdirectory("lamo-t5-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "text_encoder"));
            string config = Path.Combine(dir, "text_encoder", "config.json");
            File.WriteAllText(config, """{"_class_name": "T5EncoderModel", "d_model": 1000000, "d_ff": 1000000, "num_layers": 1000}""");
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<InvalidDataException>(() => LaMo.Diffusion.Pipeline.PipelineFolderLimits.Check(dir));
            Assert.Contains(config, e.Message);
            Assert.Contains("T5 encoder", e.Message);
            Assert.Throws<InvalidDataException>(() => LaMo.Models.Text.T5TextEncoder.FromPretrained(dir));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
            // A real-size T5 counts in the sampling estimate, in the transformer's dtype.
            var transformer = LaMo.Models.CogVideoX.TransformerLimits.Load(RelyKit.Repo("configs/cogvideox-2b/transformer/config.json"));
            var vae = LaMo.Models.CogVideoXVae.VaeLimits.Load(RelyKit.Repo("configs/cogvideox-2b/vae/config.json"));
            long t5 = LaMo.Models.Text.T5Limits.Parameters(LaMo.Models.Text.T5Config.T5V11Xxl);
            var with = MemoryEstimate.ForSampling(transformer, vae, 49, 480, 720, 226, 2, textEncoderParameters: t5);
            var without = MemoryEstimate.ForSampling(transformer, vae, 49, 480, 720, 226, 2);
            Assert.Equal(2 * t5, with.Weights - without.Weights);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AvailableMemory_ComesFromMeminfoOrTheOverride()
    {
        long? avail = MemoryEstimate.Available();
        Assert.True(avail is null or > 0);
        Assert.Equal(24 * GB, MemoryEstimate.ParseSize("24G", "x"));
        Assert.Equal(512L << 20, MemoryEstimate.ParseSize("512M", "x"));
        Assert.Throws<ArgumentException>(() => MemoryEstimate.ParseSize("lots", "x"));
    }

    private static Dictionary<string, Dictionary<string, Tensor>> Groups(int n, float value) => new()
    {
        ["model"] = new() { ["w"] = full(n, value), ["b"] = ones(3) },
        ["optimizer"] = new() { ["m"] = zeros(n) },
    };

    [Fact]
    public void DiskFullDuringCheckpoint_Injected_PreviousCheckpointIntact()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-full-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            var store = new CheckpointStore(dir, keep: 2);
            string first = store.Save(1, Groups(1000, 1f), new JsonObject());
            byte[] firstBytes = File.ReadAllBytes(Path.Combine(first, "model.safetensors"));
            foreach (long quota in new long[] { 0, 100, 5000, 8100 })
            {
                using (FaultInjection.DiskFull(quota))
                {
                    var e = Assert.Throws<IOException>(() => store.Save(2, Groups(1000, 2f), new JsonObject()));
                    Assert.Contains("No space left", e.Message);
                }
                Assert.Equal(first, store.Latest());
                Assert.Equal(firstBytes, File.ReadAllBytes(Path.Combine(first, "model.safetensors")));
                Assert.False(Directory.Exists(Path.Combine(dir, "checkpoints", "step-000002")));
                Assert.Empty(Directory.GetDirectories(Path.Combine(dir, "checkpoints"), ".tmp-*"));
                Assert.Equal("step-000001", File.ReadAllText(Path.Combine(dir, "checkpoints", "latest")));
            }
            // Space again: the next save succeeds.
            Assert.EndsWith("step-000002", store.Save(2, Groups(1000, 2f), new JsonObject()));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DiskFullDuringCheckpoint_RealTmpfs_PreviousCheckpointIntact()
    {
        // A real full filesystem where permitted (root with mount rights); the injected test above covers the rest.
        string dir = Directory.CreateTempSubdirectory("lamo-tmpfs-").FullName;
        bool mounted = false;
        try
        {
            mounted = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir) == 0;
            log.WriteLine(mounted ? $"tmpfs of 1 MB mounted at {dir}" : "mount not permitted here; covered by the injected test");
            if (!mounted) return;
            using var scope = NewDisposeScope();
            var store = new CheckpointStore(dir, keep: 5);
            string first = store.Save(1, Groups(50_000, 1f), new JsonObject());     // ~400 KB
            var e = Assert.ThrowsAny<IOException>(() => store.Save(2, Groups(200_000, 2f), new JsonObject()));  // ~1.6 MB > free
            Assert.Equal(first, store.Latest());
            using var f = LaMo.Core.SafetensorsFile.Open(Path.Combine(first, "model.safetensors"));
            Assert.Equal(1f, f.Read("w")[49_999].item<float>());
            Assert.Empty(Directory.GetDirectories(Path.Combine(dir, "checkpoints"), ".tmp-*"));
        }
        finally
        {
            if (mounted) Run("umount", dir);
            Directory.Delete(dir, true);
        }
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit(10_000);
            return p.HasExited ? p.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }
}
