using LaMo.Models.Lora;
using LaMo.Models.Wan;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Wan;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class WanTransformerForwardTests
{
    private static WanTransformer3DModel Tiny()
    {
        manual_seed(5);
        var model = new WanTransformer3DModel(WanTransformerPresets.Tiny);
        model.eval();
        return model;
    }

    [Fact]
    public void PerTokenTimesteps_AllEqual_EqualThePerSampleForm()
    {
        using var model = Tiny();
        using var x = randn(new long[] { 2, 16, 3, 4, 6 });
        using var text = randn(new long[] { 2, 7, 32 });
        using var t = tensor(new[] { 900f, 250f });
        using var perToken = t.unsqueeze(1).expand(2, 3 * 2 * 3).contiguous();
        using var _ = no_grad();
        using var a = model.forward(x, t, text);
        using var b = model.forward(x, perToken, text);
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ScalarTimestep_EqualsTheRepeatedBatchForm()
    {
        using var model = Tiny();
        using var x = randn(new long[] { 2, 16, 1, 4, 4 });
        using var text = randn(new long[] { 2, 3, 32 });
        using var _ = no_grad();
        using var a = model.forward(x, tensor(500L), text);
        using var b = model.forward(x, tensor(new long[] { 500, 500 }), text);
        Assert.True(a.equal(b).all().item<bool>());
    }

    /// <summary>Self-attention couples the tokens: changing one frame changes the output of the others.</summary>
    [Fact]
    public void ChangingOneFrame_ChangesTheOtherFrames()
    {
        using var model = Tiny();
        using var x = randn(new long[] { 1, 16, 2, 4, 4 });
        using var text = randn(new long[] { 1, 3, 32 });
        using var t = tensor(new long[] { 600 });
        using var _ = no_grad();
        using var a = model.forward(x, t, text);
        using var x2 = x.clone();
        x2.select(2, 1).add_(KeptScalarsOne());
        using var b = model.forward(x2, t, text);
        Assert.False(a.select(2, 0).allclose(b.select(2, 0)));
    }

    [Theory]
    [InlineData(new long[] { 1, 8, 1, 4, 4 }, "hiddenStates")]    // wrong channels
    [InlineData(new long[] { 1, 16, 1, 3, 4 }, "hiddenStates")]   // height not a multiple of the patch
    [InlineData(new long[] { 1, 16, 1, 4 }, "hiddenStates")]      // 4-D
    public void Forward_BadLatent_NamesTheArgument(long[] shape, string argument)
    {
        using var model = Tiny();
        using var x = randn(shape);
        using var text = randn(new long[] { 1, 3, 32 });
        var e = Assert.Throws<ArgumentException>(() => model.forward(x, tensor(new long[] { 1 }), text));
        Assert.Equal(argument, e.ParamName);
    }

    [Fact]
    public void Forward_WrongPerTokenLength_Throws()
    {
        using var model = Tiny();
        using var x = randn(new long[] { 1, 16, 1, 4, 4 });
        using var text = randn(new long[] { 1, 3, 32 });
        var e = Assert.Throws<ArgumentException>(() => model.forward(x, zeros(new long[] { 1, 5 }), text));
        Assert.Equal("timestep", e.ParamName);
    }

    [Fact]
    public void Forward_MorePatchesThanRopeRows_Throws()
    {
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny with { RopeMaxSeqLen = 2 });
        using var x = randn(new long[] { 1, 16, 3, 4, 4 });
        using var text = randn(new long[] { 1, 3, 32 });
        var e = Assert.Throws<ArgumentException>(() => model.forward(x, tensor(new long[] { 1 }), text));
        Assert.Contains("rope_max_seq_len", e.Message);
    }

    /// <summary>LoRA attaches by diffusers' Wan module names (<c>blocks.{i}.attn1.to_q</c>, …), both attentions.</summary>
    [Fact]
    public void Lora_DefaultTargets_AttachToBothAttentionsOfEveryBlock()
    {
        using var model = Tiny();
        using var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 2));
        Assert.Equal(2 * 2 * 4, set.ModuleNames.Count);
        Assert.Contains("blocks.0.attn1.to_q", set.ModuleNames);
        Assert.Contains("blocks.1.attn2.to_out.0", set.ModuleNames);
    }

    /// <summary>Every parameter and the latent input receive a gradient (no detached path), also through SafeConv's
    /// padded patch convolution (inner dim 48 is a multiple of SafeConv's 16-channel block, 24 is padded).</summary>
    [Theory]
    [InlineData(24)]
    [InlineData(12)]
    public void Backward_ReachesEveryParameterAndTheInput(int headDim)
    {
        manual_seed(7);
        using var model = new WanTransformer3DModel(WanTransformerPresets.Tiny with { AttentionHeadDim = headDim });
        model.train();
        using var x = randn(new long[] { 2, 16, 2, 4, 4 }).requires_grad_(true);
        using var text = randn(new long[] { 2, 3, 32 });
        using var t = tensor(new[] { 800f, 100f });
        using var y = model.forward(x, t, text);
        using var loss = y.pow(LaMo.Core.KeptScalars.Sc(2)).mean();
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0 && g.isfinite().all().item<bool>(), $"{name} has no gradient");
        Assert.True(x.grad is { } gx && gx.abs().sum().item<float>() > 0);
    }

    private static TorchSharp.Scalar KeptScalarsOne() => LaMo.Core.KeptScalars.Sc(1.0);
}
