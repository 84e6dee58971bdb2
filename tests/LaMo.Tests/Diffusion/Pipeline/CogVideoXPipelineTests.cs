using LaMo.Diffusion;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Pipeline;

[Collection("Torch")]
public sealed class CogVideoXPipelineTests
{
    [Fact]
    public void Generate_TinyRandom_EndToEnd_ShapesRangeAndDeterminism()
    {
        using var pipe = TinyPipelineFactory.Create();
        using var a = pipe.Generate(TinyPipelineFactory.Request(seed: 5));
        using var b = pipe.Generate(TinyPipelineFactory.Request(seed: 5));
        using var c = pipe.Generate(TinyPipelineFactory.Request(seed: 6));
        Assert.Equal(new long[] { 2, 3, 4, 8, 8 }, a.Latents.shape);
        Assert.Equal(new long[] { 2, 9, 3, 32, 32 }, a.Video!.shape);
        Assert.True(a.Video.isfinite().all().item<bool>());
        Assert.True(a.Video.abs().max().item<float>() <= 1f);
        Assert.True(a.Latents.allclose(b.Latents, 0, 0), "same seed must give identical latents");
        Assert.False(a.Latents.allclose(c.Latents), "another seed must give other latents");
        Assert.Equal(4, a.StepSeconds.Count);
    }

    [Fact]
    public void Generate_DpmScheduler_Runs_AndIsDeterministic()
    {
        using var pipe = TinyPipelineFactory.Create(scheduler: SchedulerFactory.DPM, rope: false);
        using var a = pipe.Generate(TinyPipelineFactory.Request() with { Decode = false });
        using var b = pipe.Generate(TinyPipelineFactory.Request() with { Decode = false });
        Assert.Null(a.Video);
        Assert.True(a.Latents.allclose(b.Latents, 0, 0));
    }

    [Fact]
    public void Cfg_ScaleOne_EqualsConditionalOutput()
    {
        var uncond = randn(2, 3);
        var text = randn(2, 3);
        Assert.True(ClassifierFreeGuidance.Combine(cat([uncond, text], 0), 1.0).allclose(text, 0, 1e-7));
    }

    [Fact]
    public void DynamicCfg_FollowsDiffusersFormula()
    {
        // t = 0 at N = 50: x = 1, cos(π) = −1 → 1 + w.
        Assert.Equal(7.0, ClassifierFreeGuidance.DynamicScale(6, 0, 50), 12);
        // t = N: x = 0 → 1.
        Assert.Equal(1.0, ClassifierFreeGuidance.DynamicScale(6, 50, 50), 12);
    }

    private sealed class RecordingGuidance : IGuidance
    {
        public List<(int Step, int Count, int T, double Abar)> Calls { get; } = [];
        public Tensor Apply(GuidanceContext c)
        {
            Calls.Add((c.StepIndex, c.StepCount, c.Timestep, c.AlphaCumprod));
            Assert.NotNull(c.Denoiser);
            return c.ModelOutput.alias();
        }
    }

    [Fact]
    public void Guidance_IsCalledEveryStepWithSchedulerValues_IdentityChangesNothing()
    {
        using var plain = TinyPipelineFactory.Create(seed: 3);
        using var hooked = TinyPipelineFactory.Create(seed: 3);
        var rec = new RecordingGuidance();
        using var withHook = new CogVideoXPipeline(hooked.Transformer, hooked.Vae, hooked.Scheduler, hooked.TextEncoder) { Guidance = [rec] }
            .Generate(TinyPipelineFactory.Request() with { Decode = false });
        using var without = plain.Generate(TinyPipelineFactory.Request() with { Decode = false });
        Assert.Equal([0, 1, 2, 3], rec.Calls.Select(c => c.Step));
        Assert.Equal([999, 749, 499, 249], rec.Calls.Select(c => c.T));
        Assert.Equal(0.0, rec.Calls[0].Abar);
        Assert.True(withHook.Latents.allclose(without.Latents, 0, 0));
    }

    [Fact]
    public void Continuation_GivenFramesEndExactlyAtTheGroundTruth()
    {
        using var pipe = TinyPipelineFactory.Create();
        var given = randn(new long[] { 2, 2, 4, 8, 8 });
        using var r = pipe.Generate(TinyPipelineFactory.Request() with { ConditioningLatents = given, Decode = false });
        Assert.True(r.Latents.narrow(1, 0, 2).allclose(given, 0, 1e-6));
        Assert.False(r.Latents.narrow(1, 2, 1).allclose(zeros(new long[] { 2, 1, 4, 8, 8 })));
    }

    [Fact]
    public void SaveThenLoad_GeneratesBitIdentically()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-pipe-").FullName;
        try
        {
            using var pipe = TinyPipelineFactory.Create(seed: 11);
            PipelineFolder.Save(dir, pipe.Transformer, pipe.Vae, pipe.Scheduler.Config, (LaMo.Models.Text.WordTextEncoder)pipe.TextEncoder!);
            Assert.True(File.Exists(Path.Combine(dir, "model_index.json")));
            using var loaded = PipelineFolder.Load(dir);
            using var a = pipe.Generate(TinyPipelineFactory.Request());
            using var b = loaded.Generate(TinyPipelineFactory.Request());
            Assert.True(a.Video!.allclose(b.Video!, 0, 0));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Generate_NoTensorLeaks()
    {
        using var pipe = TinyPipelineFactory.Create();
        pipe.Generate(TinyPipelineFactory.Request() with { Decode = false }).Dispose();   // warm-up (lazy tables)
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        pipe.Generate(TinyPipelineFactory.Request()).Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData(30, 32, 9, "height")]
    [InlineData(32, 20, 9, "width")]
    [InlineData(32, 32, 8, "num_frames")]
    public void Generate_BadGeometry_NamesTheField(int h, int w, int f, string field)
    {
        using var pipe = TinyPipelineFactory.Create();
        var e = Assert.Throws<ArgumentException>(() => pipe.Generate(TinyPipelineFactory.Request() with { Height = h, Width = w, NumFrames = f }));
        Assert.Contains(field, e.Message);
    }
}
