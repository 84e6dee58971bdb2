using LaMo.Diffusion;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Motion;
using LaMo.Training;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

/// <summary>The library's numbers do not depend on when the garbage collector runs: a drift + joint-predictor training
/// step, a guided sampling run and a VAE training step give bit-identical results while another thread forces full
/// collections and finalizers in a loop (TorchSharp finalises temporaries that native code may still be using:
/// docs/numerics.md), and the same seed gives the same bits run after run.</summary>
[Collection(nameof(SerialCollection))]
public sealed class GcStressTests
{
    private const int Rounds = 4;

    [Fact]
    public void TrainingSamplingAndVaeSteps_UnderForcedCollections_EqualTheUnstressedRunBitForBit()
    {
        var calm = RunAll();
        List<float[]> stressed;
        int collections;
        using (var loop = new CollectorLoop())
        {
            stressed = RunAll();
            collections = loop.Collections;
        }
        Assert.True(collections >= 20, $"only {collections} forced collections ran during the stressed run");
        Assert.Equal(calm.Count, stressed.Count);
        for (int i = 0; i < calm.Count; i++)
            Assert.True(calm[i].AsSpan().SequenceEqual(stressed[i]), $"result {i} differs under GC pressure");
    }

    [Fact]
    public void SameSeed_ThreeRuns_GiveIdenticalGuidedSamplesAndDriftPredictorLosses()
    {
        var runs = Enumerable.Range(0, 3).Select(_ => (Sampled: GuidedSample(), Losses: DriftPredictorLosses(steps: 3))).ToList();
        foreach (var run in runs.Skip(1))
        {
            Assert.True(runs[0].Sampled.AsSpan().SequenceEqual(run.Sampled), "guided sample bytes differ between runs");
            Assert.True(runs[0].Losses.AsSpan().SequenceEqual(run.Losses), "drift + predictor losses differ between runs");
        }
        Assert.All(runs[0].Sampled, v => Assert.True(float.IsFinite(v)));
    }

    private static List<float[]> RunAll()
    {
        var results = new List<float[]>();
        for (int r = 0; r < Rounds; r++)
        {
            results.Add(DriftPredictorLosses(steps: 2));
            results.Add(GuidedSample());
            results.Add(VaeStep());
        }
        return results;
    }

    /// <summary>Losses and final parameter sums of a tiny backbone trained with CogVideoX's loss + drift + joint predictor.</summary>
    internal static float[] DriftPredictorLosses(int steps)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var config = CogVideoXTransformerPresets.Tiny;
        using var model = new CogVideoXTransformer3DModel(config);
        using var prior = new MotionPrior(MotionPriorConfig.Tiny with { InChannels = config.InChannels });
        using var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, SchedulerFactory.DDIM);
        var alphas = tensor(scheduler.Schedule.AlphasCumprod.ToArray()).to_type(ScalarType.Float32);
        var z0 = randn(new long[] { 2, 3, config.InChannels, 8, 8 });
        var text = randn(new long[] { 2, config.MaxTextSeqLength, config.TextEmbedDim });
        var pooled = MotionPrior.PoolPrompt(text);
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(config, 64, 64, 3);
        using var opt = new NamedAdamW([
            new OptimizerGroup("backbone", ParamGroups.Trainable(model), 1e-4, 1.0),
            new OptimizerGroup("predictor", ParamGroups.Trainable(prior), 0.0, 1.0)]);
        var lr = new Dictionary<string, double> { ["backbone"] = 1e-3, ["predictor"] = 1e-3 };
        var drift = new MotionDriftLoss();
        var priorLoss = new MotionPriorLoss(draws: new SeededMotionPriorDraws(7));
        var values = new List<float>();
        model.train(); prior.train();
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var t = randint(0L, 1000L, [2]);
            var xt = scheduler.AddNoise(z0, randn(z0.shape), t);
            var x0Hat = DiffusionMath.PredictX0FromV(model.forward(xt, text, t, rope), xt, alphas.index_select(0, t));
            var loss = (x0Hat - z0).pow(2).mean() + drift.ComputeFromTimesteps(x0Hat, z0, t).Total
                       + priorLoss.Compute(prior, z0, pooled, alphas).Loss;
            loss.backward();
            opt.ClipGradients();
            opt.Step(lr);
            opt.ZeroGrad();
            values.Add(loss.item<float>());
        }
        foreach (var p in model.parameters().Concat(prior.parameters())) values.Add(p.sum().item<float>());
        return [.. values];
    }

    /// <summary>Latents of a 4-step tiny guided run (CFG, Motion Prior Guidance from a prior with non-zero heads).</summary>
    internal static float[] GuidedSample()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var config = CogVideoXTransformerPresets.Tiny;
        var model = new CogVideoXTransformer3DModel(config);
        model.eval();
        var prior = new MotionPrior(MotionPriorConfig.Tiny with { InChannels = config.InChannels });
        using (no_grad()) foreach (var p in prior.parameters()) p.normal_(0, 0.1);
        prior.eval();
        var scheduler = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, SchedulerFactory.DDIM);
        using var pipeline = new CogVideoXPipeline(model, null, scheduler, null)
        {
            OwnsComponents = true,
            Guidance = [new MotionPriorGuidance(prior, new MotionPriorGuidanceOptions(Rho: 1.0))],
        };
        var pos = randn(new long[] { 1, config.MaxTextSeqLength, config.TextEmbedDim });
        using var result = pipeline.Generate(new GenerationRequest
        {
            PromptEmbeds = pos, NegativePromptEmbeds = zeros_like(pos), NumFrames = 9, Height = 64, Width = 64,
            NumInferenceSteps = 4, GuidanceScale = 6.0, Seed = 3, Decode = false,
        });
        prior.Dispose();
        return result.Latents.flatten().data<float>().ToArray();
    }

    /// <summary>Loss and encoder-input gradient of one tiny VAE training step (the convolutions' input gradients).</summary>
    internal static float[] VaeStep()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Load(RelyKit.Repo("configs/tiny/vae/config.json")));
        vae.train();
        var x = (rand(new long[] { 2, 3, 9, 16, 16 }) * 2 - 1).requires_grad_(true);
        using var posterior = vae.Encode(x);
        var loss = (vae.Decode(posterior.Mean) - x.detach()).pow(2).mean();
        loss.backward();
        return [loss.item<float>(), .. x.grad!.flatten().data<float>().ToArray()];
    }

    /// <summary>A thread that forces full blocking collections and runs finalizers until disposed.</summary>
    private sealed class CollectorLoop : IDisposable
    {
        private volatile bool _stop;
        private readonly Thread _thread;
        private int _collections;
        public int Collections => Volatile.Read(ref _collections);

        public CollectorLoop()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref _collections);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public void Dispose() { _stop = true; _thread.Join(); }
    }
}
