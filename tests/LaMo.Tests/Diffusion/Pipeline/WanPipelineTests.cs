using LaMo.Diffusion;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Pipeline;

[Collection("Torch")]
public sealed class WanPipelineTests(ITestOutputHelper output)
{
    // 3 steps × (cond, uncond, guided, latents, timestep) + timesteps + sigmas + final latents.
    [Fact]
    public void Golden_CfgLoop_EveryStepAndTheFinalLatentsPass()
    {
        Assert.IsType<WanPipelineCfgLoopVerifier>(GoldenVerifiers.For("wan_pipeline_cfg_loop"));
        var results = GoldenVerifiers.RunCase(Path.Combine(GoldenFixture.Folder, "wan_pipeline_cfg_loop.json"));
        foreach (var r in results) output.WriteLine($"{r.Output}: max {r.MaxAbsError:G3} (atol {r.Atol:G3}) {(r.Passed ? "ok" : "FAIL")}");
        Assert.Equal(18, results.Count);
        GoldenFixture.AssertAll(results);
    }

    [Fact]
    public void Generate_TinyRandom_EndToEnd_ShapesRangeAndDeterminism()
    {
        using var pipe = TinyWanPipelineFactory.Create();
        using var a = pipe.Generate(TinyWanPipelineFactory.Request(seed: 5));
        using var b = pipe.Generate(TinyWanPipelineFactory.Request(seed: 5));
        using var c = pipe.Generate(TinyWanPipelineFactory.Request(seed: 6) with { Decode = false });
        Assert.Equal(new long[] { 2, 4, 2, 4, 6 }, a.Latents.shape);   // [B, C, (5−1)/4+1, 32/8, 48/8]
        Assert.Equal(LatentLayout.ChannelsFirst, a.Layout);
        Assert.Equal(new long[] { 2, 5, 3, 32, 48 }, a.Video!.shape);
        Assert.True(a.Video.isfinite().all().item<bool>());
        Assert.True(a.Video.abs().max().item<float>() <= 1f);
        Assert.True(a.Latents.allclose(b.Latents, 0, 0), "same seed must give identical latents");
        Assert.False(a.Latents.allclose(c.Latents), "another seed must give other latents");
        Assert.Equal(3, a.StepSeconds.Count);
    }

    [Fact]
    public void Decode_DenormalisesWithLatentsMeanAndStd_ThenDecodesFramesFirst()
    {
        using var pipe = TinyWanPipelineFactory.Create(seed: 2);
        using var scope = NewDisposeScope();
        using var r = pipe.Generate(TinyWanPipelineFactory.Request());
        var mean = tensor(new float[] { 0.1f, -0.2f, 0.3f, 0f }).view(1, 4, 1, 1, 1);
        var std = tensor(new float[] { 1.5f, 0.5f, 2f, 1f }).view(1, 4, 1, 1, 1);
        Tensor expected;
        using (no_grad()) expected = pipe.Vae!.Decode(r.Latents.mul(std).add(mean, Sc(1))).permute(0, 2, 1, 3, 4);
        Assert.True(r.Video!.allclose(expected, 0, 1e-5), $"max |Δ| {r.Video.add(expected, Sc(-1)).abs().max().item<float>()}");
    }

    [Fact]
    public void Cfg_TwoSeparateForwards_CombinedAsUncondPlusScaleTimesDifference_AndNoUncondWithoutCfg()
    {
        var seen = new Dictionary<string, Tensor>();
        using var pipe = TinyWanPipelineFactory.Create(seed: 4);
        using var traced = new WanPipeline(pipe.Transformer, pipe.Vae, pipe.Scheduler, pipe.TextEncoder)
        {
            Trace = (name, t) => seen[name] = t.detach().clone().DetachFromDisposeScope(),
        };
        using (traced.Generate(TinyWanPipelineFactory.Request() with { Decode = false, GuidanceScale = 4 })) { }
        for (int i = 0; i < 3; i++)
        {
            var (c, u, g) = (seen[$"step{i}.noise_pred_cond"], seen[$"step{i}.noise_pred_uncond"], seen[$"step{i}.noise_pred_guided"]);
            Assert.False(c.allclose(u, 0, 1e-6), "the negative prompt must change the output");
            Assert.True(g.allclose(u.add(c.add(u, Sc(-1)), Sc(4.0)), 0, 1e-6));
        }
        seen.Clear();
        using (traced.Generate(TinyWanPipelineFactory.Request() with { Decode = false, GuidanceScale = 1 })) { }
        Assert.DoesNotContain(seen.Keys, k => k.EndsWith("noise_pred_uncond", StringComparison.Ordinal));
        Assert.True(seen["step0.noise_pred_guided"].equal(seen["step0.noise_pred_cond"]).all().item<bool>());
    }

    private sealed class RecordingGuidance : IGuidance
    {
        public List<GuidanceContext> Calls { get; } = [];
        public List<bool> DenoiserReproducesOutput { get; } = [];
        public Tensor Apply(GuidanceContext c)
        {
            Calls.Add(c);
            using (no_grad()) DenoiserReproducesOutput.Add(c.Denoiser!(c.Latents).allclose(c.ModelOutput, 0, 1e-6));
            return c.ModelOutput.alias();
        }
    }

    [Fact]
    public void Guidance_SeesTheFlowStepChannelsFirstAndADenoiser_IdentityChangesNothing()
    {
        using var plain = TinyWanPipelineFactory.Create(seed: 3);
        using var hooked = TinyWanPipelineFactory.Create(seed: 3);
        var rec = new RecordingGuidance();
        var request = TinyWanPipelineFactory.Request() with { Decode = false };
        using var withHook = new WanPipeline(hooked.Transformer, hooked.Vae, hooked.Scheduler, hooked.TextEncoder) { Guidance = [rec] }.Generate(request);
        using var without = plain.Generate(request);
        var sigmas = hooked.Scheduler.Sigmas;
        Assert.Equal([0, 1, 2], rec.Calls.Select(c => c.StepIndex));
        Assert.All(rec.Calls, c => Assert.Equal(3, c.StepCount));
        Assert.Equal(hooked.Scheduler.Timesteps.Select(t => (int)t), rec.Calls.Select(c => c.Timestep));
        Assert.All(rec.Calls, c => Assert.Equal(LatentLayout.ChannelsFirst, c.Layout));
        Assert.All(rec.Calls, c => Assert.True(double.IsNaN(c.AlphaCumprod)));
        for (int i = 0; i < 3; i++)
            Assert.Equal(sigmas[i], Assert.IsType<FlowPredictionStep>(rec.Calls[i].Prediction).Sigma);
        Assert.All(rec.DenoiserReproducesOutput, Assert.True);
        Assert.True(withHook.Latents.allclose(without.Latents, 0, 0));
    }

    private sealed class X0Edit(double lambda) : IGuidance
    {
        // Pushes x̂₀ towards zero through the step's prediction: v ← v + PredictionChange(−λ·x̂₀).
        public Tensor Apply(GuidanceContext c)
        {
            var step = c.StepPrediction;
            var x0 = step.PredictX0(c.ModelOutput, c.Latents);
            return c.ModelOutput.add(step.PredictionChange(x0.mul(Sc(-lambda))), Sc(1));
        }
    }

    [Fact]
    public void Guidance_OutputIsWhatTheSchedulerSteps_AnX0EditMovesTheFinalLatents()
    {
        using var plain = TinyWanPipelineFactory.Create(seed: 3);
        using var hooked = TinyWanPipelineFactory.Create(seed: 3);
        var request = TinyWanPipelineFactory.Request() with { Decode = false };
        using var guided = new WanPipeline(hooked.Transformer, hooked.Vae, hooked.Scheduler, hooked.TextEncoder) { Guidance = [new X0Edit(0.5)] }.Generate(request);
        using var without = plain.Generate(request);
        // The last step lands on x̂₀ (UniPC's final σ is 0), so shrinking x̂₀ by half shrinks the sample's norm.
        Assert.True(guided.Latents.norm().item<float>() < 0.9f * without.Latents.norm().item<float>());
    }

    [Fact]
    public void Generate_FlowMatchEulerScheduler_Runs_AndIsDeterministic()
    {
        using var pipe = TinyWanPipelineFactory.Create(scheduler: new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { Shift = 5.0 }));
        using var a = pipe.Generate(TinyWanPipelineFactory.Request() with { Decode = false });
        using var b = pipe.Generate(TinyWanPipelineFactory.Request() with { Decode = false });
        Assert.True(a.Latents.isfinite().all().item<bool>());
        Assert.True(a.Latents.allclose(b.Latents, 0, 0));
    }

    [Fact]
    public void Generate_NoTensorLeaks()
    {
        using var pipe = TinyWanPipelineFactory.Create();
        pipe.Generate(TinyWanPipelineFactory.Request() with { Decode = false }).Dispose();   // warm-up (lazy RoPE tables)
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        pipe.Generate(TinyWanPipelineFactory.Request()).Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData(24, 48, 5, "height")]     // a multiple of 8 but not of 16 (VAE 8 × patch 2)
    [InlineData(32, 40, 5, "width")]
    [InlineData(32, 48, 6, "num_frames")]
    public void Generate_BadGeometry_NamesTheField(int h, int w, int f, string field)
    {
        using var pipe = TinyWanPipelineFactory.Create();
        var e = Assert.Throws<ArgumentException>(() => pipe.Generate(TinyWanPipelineFactory.Request() with { Height = h, Width = w, NumFrames = f }));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Generate_InitialLatentsOfTheWrongShape_AreRefusedByName_AndCogVideoXRefusesThem()
    {
        using var pipe = TinyWanPipelineFactory.Create();
        using var wrong = randn([2, 4, 3, 4, 6]);
        var e = Assert.Throws<ArgumentException>(() => pipe.Generate(TinyWanPipelineFactory.Request() with { InitialLatents = wrong }));
        Assert.Contains("initial_latents", e.Message);
        Assert.Contains("[2, 4, 2, 4, 6]", e.Message);
        using var cog = TinyPipelineFactory.Create();
        Assert.Contains("initial_latents", Assert.Throws<ArgumentException>(() => cog.Generate(TinyPipelineFactory.Request() with { InitialLatents = wrong })).Message);
    }
}

[Collection("Torch")]
public sealed class WanPipelineGuidanceTests
{
    [Fact]
    public void MotionPriorGuidanceAndFlowMo_RunInTheWanLoop_ThroughTheFlowStep()
    {
        using var plain = TinyWanPipelineFactory.Create(seed: 3);
        using var hooked = TinyWanPipelineFactory.Create(seed: 3);
        manual_seed(9);
        using var prior = new LaMo.Motion.MotionPrior(LaMo.Motion.MotionPriorConfig.Tiny);
        using (no_grad()) foreach (var p in prior.parameters()) p.normal_(0, 0.3);
        var request = TinyWanPipelineFactory.Request() with { Decode = false };
        var mpg = new LaMo.Motion.MotionPriorGuidance(prior);
        using var guided = new WanPipeline(hooked.Transformer, hooked.Vae, hooked.Scheduler, hooked.TextEncoder) { Guidance = [mpg] }.Generate(request);
        using var without = plain.Generate(request);
        Assert.True(guided.Latents.isfinite().all().item<bool>());
        Assert.False(guided.Latents.allclose(without.Latents, 0, 1e-4), "Motion Prior Guidance must move the sample");
        // FlowMo back-propagates through the Wan transformer via the pipeline's denoiser closure; inside its window it
        // moves the sample, with an empty window it changes nothing. FlowMo's variance needs 3 latent frames (9 RGB frames).
        var longer = request with { NumFrames = 9 };
        using var plainLonger = plain.Generate(longer);
        var flowMo = new LaMo.Diffusion.Guidance.FlowMoGuidance(new LaMo.Diffusion.Guidance.FlowMoOptions { LearningRate = 0.05 });
        using var withFlowMo = new WanPipeline(hooked.Transformer, hooked.Vae, hooked.Scheduler, hooked.TextEncoder) { Guidance = [flowMo] }.Generate(longer);
        Assert.True(withFlowMo.Latents.isfinite().all().item<bool>());
        Assert.False(withFlowMo.Latents.allclose(plainLonger.Latents, 0, 1e-4), "FlowMo must move the sample inside its window");
        var idle = new LaMo.Diffusion.Guidance.FlowMoGuidance(new LaMo.Diffusion.Guidance.FlowMoOptions { GuidedSteps = 0 });
        using var withIdle = new WanPipeline(hooked.Transformer, hooked.Vae, hooked.Scheduler, hooked.TextEncoder) { Guidance = [idle] }.Generate(longer);
        Assert.True(withIdle.Latents.equal(plainLonger.Latents).all().item<bool>(), "FlowMo outside its window must change nothing");
    }
}

/// <summary>Continuation on Wan: the given latent frames are imposed, noised to each step's σ, and end exactly clean.</summary>
[Collection("Torch")]
public sealed class WanPipelineContinuationTests
{
    [Fact]
    public void GivenFrames_EndAsTheGivenLatents_TheRestIsGenerated_AndTextToVideoIsUnchanged()
    {
        using var scope = NewDisposeScope();
        using var pipe = TinyWanPipelineFactory.Create(seed: 4);
        var request = TinyWanPipelineFactory.Request() with { NumFrames = 9, Decode = false };   // 3 latent frames
        var shape = pipe.LatentShape(request, request.Prompts.Count);                              // [B, C, 3, h, w]
        using var g = new Generator(77);
        var given = randn([shape[0], 2, shape[1], shape[3], shape[4]], generator: g);              // frames-first, 2 given
        using var plain = pipe.Generate(request);
        using var again = pipe.Generate(request);
        using var continued = pipe.Generate(request with { ConditioningLatents = given });
        Assert.True(plain.Latents.equal(again.Latents).all().item<bool>(), "text-to-video must stay deterministic");
        var head = continued.Latents.narrow(2, 0, 2).transpose(1, 2);                              // back to frames-first
        Assert.True(head.equal(given).all().item<bool>(), "at σ = 0 the given frames are exactly the given latents");
        var tail = continued.Latents.narrow(2, 2, 1);
        Assert.True(tail.isfinite().all().item<bool>());
        Assert.False(tail.allclose(plain.Latents.narrow(2, 2, 1), 0, 1e-4), "the generated frame must depend on the given ones");
        var wrong = randn([shape[0], 3, shape[1], shape[3], shape[4]]);                            // as many frames as the video
        var e = Assert.Throws<ArgumentException>(() => pipe.Generate(request with { ConditioningLatents = wrong }).Dispose());
        Assert.Contains("conditioning_latents", e.Message);
    }
}
