using LaMo.Models.CogVideoX;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoX;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class CogVideoXTransformerForwardTests
{
    private static readonly CogVideoXTransformerConfig Tiny = CogVideoXTransformerPresets.Tiny;

    [Fact]
    public void Forward_Tiny_ReturnsLatentShapeAndFloatTimestepEqualsInt()
    {
        manual_seed(3);
        using var model = new CogVideoXTransformer3DModel(Tiny);
        model.eval();
        using var x = randn(new long[] { 2, 3, 16, 8, 12 }); using var text = randn(new long[] { 2, 7, 32 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(Tiny, 64, 96, 3);
        using var _ = no_grad();
        using var tInt = tensor(new long[] { 999, 10 });
        using var tFloat = tensor(new float[] { 999f, 10f });
        using var a = model.forward(x, text, tInt, rope);
        using var b = model.forward(x, text, tFloat, rope);
        Assert.Equal(new long[] { 2, 3, 16, 8, 12 }, a.shape);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.isnan().any().item<bool>());
        rope.Cos.Dispose(); rope.Sin.Dispose();
    }

    [Fact]
    public void Forward_NoGrad_LeaksNoTensors()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var x = randn(new long[] { 1, 2, 16, 8, 8 }); using var text = randn(new long[] { 1, 4, 32 }); using var t = tensor(new long[] { 5 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(Tiny, 64, 64, 2);
        using var _ = no_grad();
        model.forward(x, text, t, rope).Dispose();   // warm-up (caches)
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope()) model.forward(x, text, t, rope);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        rope.Cos.Dispose(); rope.Sin.Dispose();
    }

    [Fact]
    public void Forward_WithGrad_BackpropagatesToEveryParameter()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 1, 2, 16, 4, 4 }); var text = randn(new long[] { 1, 3, 32 }); var t = tensor(new long[] { 400 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(Tiny, 32, 32, 2);
        model.forward(x, text, t, rope).square().mean().backward();
        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void Forward_RopeModelWithoutTables_Throws()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var x = zeros(new long[] { 1, 1, 16, 4, 4 }); using var text = zeros(new long[] { 1, 2, 32 }); using var t = tensor(new long[] { 1 });
        var e = Assert.Throws<ArgumentException>(() => model.forward(x, text, t, null));
        Assert.Equal("rope", e.ParamName);
    }

    [Fact]
    public void Forward_SinCosModelWrongTextLength_Throws()
    {
        var c = Tiny with { UseRotaryPositionalEmbeddings = false };
        using var model = new CogVideoXTransformer3DModel(c);
        using var x = zeros(new long[] { 1, 1, 16, 4, 4 }); using var text = zeros(new long[] { 1, 2, 32 }); using var t = tensor(new long[] { 1 });
        var e = Assert.Throws<ArgumentException>(() => model.forward(x, text, t, null));
        Assert.Contains("max_text_seq_length", e.Message);
    }

    [Fact]
    public void Forward_OddLatentSize_Throws()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var x = zeros(new long[] { 1, 1, 16, 5, 4 }); using var text = zeros(new long[] { 1, 2, 32 }); using var t = tensor(new long[] { 1 });
        Assert.Throws<ArgumentException>(() => model.forward(x, text, t, null));
    }

    [Fact]
    public void ResizeCropRegion_HalfCases_RoundHalfToEven()
    {
        // grid 4×6 into 4×4: resize 3×4, crop top round(0.5) = 0 (banker's), as Python
        Assert.Equal(((0, 0), (3, 4)), CogVideoXRotaryEmbedding.ResizeCropRegionForGrid(4, 6, 4, 4));
        // 480×720 at base 30×45: identity region
        Assert.Equal(((0, 0), (30, 45)), CogVideoXRotaryEmbedding.ResizeCropRegionForGrid(30, 45, 45, 30));
        // tall grid 10×4 into 30×45 → resize width round(30/10·4) = 12, left round(16.5) = 16
        Assert.Equal(((0, 16), (30, 28)), CogVideoXRotaryEmbedding.ResizeCropRegionForGrid(10, 4, 45, 30));
    }

    [Fact]
    public void ApplyRotary_MatchesComplexMultiplication()
    {
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 1, 2, 6, 8 }, dtype: ScalarType.Float64);
        var angles = rand(new long[] { 6, 4 }, dtype: ScalarType.Float64) * 6;
        var rope = new RotaryTables(angles.cos().repeat_interleave(2, 1).to(ScalarType.Float32), angles.sin().repeat_interleave(2, 1).to(ScalarType.Float32));
        var y = CogVideoXAttention.ApplyRotary(x, rope);
        var xc = view_as_complex(x.reshape(1, 2, 6, 4, 2));
        var expected = view_as_real(xc * polar(ones_like(angles), angles)).reshape(1, 2, 6, 8);
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-6));
    }
}
