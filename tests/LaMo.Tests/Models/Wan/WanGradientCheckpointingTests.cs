using LaMo.Models;
using LaMo.Models.Lora;
using LaMo.Models.Wan;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Wan;

/// <summary>Checkpointed Wan blocks give the same outputs and gradients as plain ones (recomputation is exact).</summary>
[Collection(nameof(SerialCollection))]   // reads the process-wide recomputation counter and seeds the global generator
public sealed class WanGradientCheckpointingTests
{
    // Loss of one forward; every trainable parameter's gradient and the latent input's.
    private static (float Loss, Dictionary<string, Tensor> Grads) Run(WanTransformer3DModel model, bool checkpoint, Tensor x, Tensor t, Tensor text,
        IReadOnlyList<TorchSharp.Modules.Parameter>? adapters = null)
    {
        model.GradientCheckpointing = checkpoint;
        model.zero_grad();
        foreach (var p in adapters ?? []) p.grad?.zero_();
        var xin = x.clone().requires_grad_(true);
        var y = model.forward(xin, t, text);
        var loss = y.pow(Sc(2)).mean().add(y.sum().mul(Sc(1e-3)), Sc(1));
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad is { } g ? g.clone() : zeros_like(p.parameter));
        for (int i = 0; i < (adapters?.Count ?? 0); i++) grads[$"adapter.{i}"] = adapters![i].grad!.clone();
        grads["input"] = xin.grad!.clone();
        return (loss.item<float>(), grads);
    }

    private static void AssertSame((float Loss, Dictionary<string, Tensor> Grads) a, (float Loss, Dictionary<string, Tensor> Grads) b, bool adaptersOnly = false)
    {
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(a.Grads.Keys.Order(), b.Grads.Keys.Order());
        foreach (var (k, g) in a.Grads)
            Assert.True(allclose(g, b.Grads[k], rtol: 1e-5, atol: 1e-7), $"{k}: max |Δ| = {g.sub(b.Grads[k]).abs().max().item<float>()}");
        bool Flowed(string prefix) => a.Grads.Any(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Value.abs().max().item<float>() > 0);
        if (adaptersOnly) Assert.True(Flowed("adapter."), "no adapter got a gradient");
        else Assert.True(Flowed("blocks.0.") && Flowed("condition_embedder.time"), "gradients must reach the first block and the time embedding");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // Wan 2.2 TI2V: per-token timesteps, so the block's modulation is [B, S, 6, D]
    public void FullModel_SameLossAndGradients(bool perToken)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.train();
        var x = randn(new long[] { 2, 16, 3, 4, 6 });
        var text = randn(new long[] { 2, 7, 32 });
        var t = tensor(new[] { 900f, 250f });
        if (perToken) t = t.unsqueeze(1).expand(2, 3 * 2 * 3).contiguous();
        var plain = Run(model, false, x, t, text);
        long before = ActivationCheckpoint.Recomputed;
        var checkpointed = Run(model, true, x, t, text);
        Assert.Equal(model.Blocks.Count, ActivationCheckpoint.Recomputed - before);   // every block was recomputed once
        AssertSame(plain, checkpointed);
    }

    [Fact]
    public void LoraAdaptersOnly_SameGradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        using var lora = LoraAdapterSet.Inject(model, new LoraConfig(4, 4));
        using (no_grad()) foreach (var p in lora.Parameters()) p.normal_(0, 0.1);   // B starts at zero: give it a value
        model.train();
        var x = randn(new long[] { 1, 16, 3, 4, 4 });
        var text = randn(new long[] { 1, 5, 32 });
        var t = tensor(new[] { 500f });
        var adapters = lora.Parameters().ToList();
        AssertSame(Run(model, false, x, t, text, adapters), Run(model, true, x, t, text, adapters), adaptersOnly: true);
    }
}
