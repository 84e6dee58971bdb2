using LaMo.Models;
using LaMo.Models.CogVideoX;
using LaMo.Models.Lora;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoX;

/// <summary>Checkpointed blocks give the same outputs and gradients as plain ones (recomputation is exact).</summary>
[Collection(nameof(SerialCollection))]   // compares runs seeded through the global generator
public sealed class GradientCheckpointingTests
{
    // Loss of one forward; returns it and every trainable parameter's gradient, plus the latent input's.
    private static (float Loss, Dictionary<string, Tensor> Grads) Run(CogVideoXTransformer3DModel model, bool checkpoint, Tensor x, Tensor text, Tensor t,
        RotaryTables? rope, IReadOnlyList<TorchSharp.Modules.Parameter>? trainable = null)
    {
        model.GradientCheckpointing = checkpoint;
        model.zero_grad();
        foreach (var p in trainable ?? []) p.grad?.zero_();
        var xin = x.clone().requires_grad_(true);
        var y = model.forward(xin, text, t, rope);
        var loss = (y * y).mean() + y.sum() * 1e-3;
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad is { } g ? g.clone() : zeros_like(p.parameter));
        for (int i = 0; i < (trainable?.Count ?? 0); i++) grads[$"adapter.{i}"] = trainable![i].grad!.clone();
        grads["input"] = xin.grad!.clone();
        return (loss.item<float>(), grads);
    }

    private static void AssertSame((float Loss, Dictionary<string, Tensor> Grads) a, (float Loss, Dictionary<string, Tensor> Grads) b)
    {
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(a.Grads.Keys.Order(), b.Grads.Keys.Order());
        foreach (var (k, g) in a.Grads)
            Assert.True(allclose(g, b.Grads[k], rtol: 1e-5, atol: 1e-7), $"{k}: max |Δ| = {(g - b.Grads[k]).abs().max().item<float>()}");
        Assert.Contains(a.Grads, kv => kv.Key != "input" && kv.Value.abs().max().item<float>() > 0);   // gradients actually flowed
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullModel_SameLossAndGradients(bool rotary)
    {
        manual_seed(7);
        var config = CogVideoXTransformerPresets.Tiny with { UseRotaryPositionalEmbeddings = rotary };
        using var model = new CogVideoXTransformer3DModel(config);
        model.train();
        var x = randn(new long[] { 2, 2, 16, 8, 8 }); var text = randn(new long[] { 2, 16, 32 }); var t = tensor(new long[] { 100, 800 });
        var rope = rotary ? CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(config, 64, 64, 2) : null;
        var plain = Run(model, false, x, text, t, rope);
        long before = ActivationCheckpoint.Recomputed;
        var checkpointed = Run(model, true, x, text, t, rope);
        Assert.Equal(config.NumLayers, ActivationCheckpoint.Recomputed - before);   // every block was recomputed once
        AssertSame(plain, checkpointed);
    }

    [Fact]
    public void LoraAdaptersOnly_SameGradients()
    {
        manual_seed(8);
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        using var lora = LoraAdapterSet.Inject(model, new LoraConfig(4, 4));
        using (no_grad()) foreach (var p in lora.Parameters()) p.normal_(0, 0.1);   // B starts at zero: give it a value
        model.train();
        var x = randn(new long[] { 1, 2, 16, 8, 8 }); var text = randn(new long[] { 1, 16, 32 }); var t = tensor(new long[] { 500 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(model.Config, 64, 64, 2);
        var adapters = lora.Parameters().ToList();
        AssertSame(Run(model, false, x, text, t, rope, adapters), Run(model, true, x, text, t, rope, adapters));
    }

    [Fact]
    public void WithoutGradients_CheckpointingIsNotUsedAndOutputsMatch()
    {
        manual_seed(9);
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny) { GradientCheckpointing = true };
        var x = randn(new long[] { 1, 2, 16, 8, 8 }); var text = randn(new long[] { 1, 16, 32 }); var t = tensor(new long[] { 500 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(model.Config, 64, 64, 2);
        using var noGrad = no_grad();
        long before = ActivationCheckpoint.Checkpointed;
        var a = model.forward(x, text, t, rope);
        Assert.Equal(before, ActivationCheckpoint.Checkpointed);                 // no block went through the checkpoint
        model.GradientCheckpointing = false;
        Assert.True(a.equal(model.forward(x, text, t, rope)).all().item<bool>());
        using (enable_grad())
        {
            model.GradientCheckpointing = true;
            model.forward(x, text, t, rope).Dispose();
            Assert.Equal(before + model.Config.NumLayers, ActivationCheckpoint.Checkpointed);   // and with gradients every block does
        }
    }

    [Fact]
    public void TrainingOption_GivesTheSameRun()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-ckpt-").FullName;
        try
        {
            string cache = RelyKit.SyntheticCache(dir, clips: 4);
            LaMo.Training.BackboneTrainingOptions O(string run, bool ckpt) => new()
            {
                Cache = cache, Out = Path.Combine(dir, run), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
                Steps = 3, BatchSize = 2, WarmupSteps = 1, LearningRate = 1e-3, DriftLoss = true, GradientCheckpointing = ckpt, LogEvery = 1,
            };
            long before = ActivationCheckpoint.Recomputed;
            var a = LaMo.Workflows.BackboneWorkflow.Run(O("plain", false));
            Assert.Equal(before, ActivationCheckpoint.Recomputed);
            var b = LaMo.Workflows.BackboneWorkflow.Run(O("ckpt", true));
            Assert.True(ActivationCheckpoint.Recomputed > before);
            for (int i = 0; i < 3; i++)
                Assert.Equal(a.History[i].Metrics["loss"], b.History[i].Metrics["loss"], 5);
        }
        finally { Directory.Delete(dir, true); }
    }
}
