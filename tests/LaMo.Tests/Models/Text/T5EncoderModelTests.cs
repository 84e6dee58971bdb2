using LaMo.Models.Text;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

[Collection(nameof(SerialCollection))]   // compares runs seeded through the global generator
public class T5EncoderModelTests
{
    private static T5EncoderModel Tiny(int seed = 0)
    {
        manual_seed(seed);
        var m = new T5EncoderModel(T5Config.Tiny);
        m.eval();
        return m;
    }

    // Hand-worked from HF's formula with 32 buckets (16 per direction, exact below e = 8, max distance 128):
    // n ≥ 8 → 8 + ⌊2·log2(n/8)⌋ capped at 15; keys after the query (j − i > 0) add 16.
    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 1)]
    [InlineData(1, 17)]
    [InlineData(-7, 7)]
    [InlineData(7, 23)]
    [InlineData(-8, 8)]     // 2·log2(1) = 0
    [InlineData(-11, 8)]    // 2·log2(1.375) = 0.92
    [InlineData(-12, 9)]    // 2·log2(1.5) = 1.17
    [InlineData(12, 25)]
    [InlineData(-20, 10)]   // 2·log2(2.5) = 2.64
    [InlineData(-23, 11)]   // 2·log2(2.875) = 3.05
    [InlineData(-40, 12)]   // 2·log2(5) = 4.64
    [InlineData(-50, 13)]   // 2·log2(6.25) = 5.29
    [InlineData(-90, 14)]   // 2·log2(11.25) = 6.98
    [InlineData(-91, 15)]   // 2·log2(11.375) = 7.02
    [InlineData(-127, 15)]  // 7.98
    [InlineData(-128, 15)]  // 8 → capped at 15
    [InlineData(-500, 15)]
    [InlineData(500, 31)]
    [InlineData(225, 31)]
    public void RelativePositionBucket_HandComputed(long relative, long expected)
    {
        using var rp = tensor(new[] { relative });
        using var b = T5Attention.RelativePositionBucket(rp, bidirectional: true, numBuckets: 32, maxDistance: 128);
        Assert.Equal(expected, b[0].item<long>());
    }

    [Fact]
    public void T5LayerNorm_MatchesNaiveDoubleRms()
    {
        manual_seed(1);
        using var norm = new T5LayerNorm(6, 1e-6);
        using (no_grad()) norm.parameters().First().copy_(tensor(new float[] { 0.5f, 1, 1.5f, -2, 3, 0.25f }));
        using var x = randn(3, 6) * 4 + 1;
        using var y = norm.forward(x);
        var xs = x.data<float>().ToArray();
        var ys = y.data<float>().ToArray();
        double[] w = [0.5, 1, 1.5, -2, 3, 0.25];
        for (int r = 0; r < 3; r++)
        {
            double ms = 0;
            for (int c = 0; c < 6; c++) ms += (double)xs[r * 6 + c] * xs[r * 6 + c];
            ms /= 6;                                             // mean of squares, no mean subtraction
            for (int c = 0; c < 6; c++)
                Assert.Equal(w[c] * xs[r * 6 + c] / Math.Sqrt(ms + 1e-6), ys[r * 6 + c], 1e-5);
        }
    }

    [Fact]
    public void GeluNew_MatchesTanhFormula()
    {
        double[] xs = [-3, -1, -0.5, 0, 0.3, 1, 2.5];
        using var x = tensor(xs);
        using var y = T5DenseGatedActDense.GeluNew(x);
        var ys = y.data<double>().ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            double v = xs[i];
            Assert.Equal(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), ys[i], 12);
        }
    }

    [Fact]
    public void StateDict_HasHfKeyLayout()
    {
        using var m = Tiny();
        var keys = m.SaveStateDict().Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var expected = new List<string> { "encoder.final_layer_norm.weight", "shared.weight",
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight" };
        for (int i = 0; i < 2; i++)
        {
            string p = $"encoder.block.{i}.layer.";
            expected.AddRange([p + "0.SelfAttention.q.weight", p + "0.SelfAttention.k.weight", p + "0.SelfAttention.v.weight",
                p + "0.SelfAttention.o.weight", p + "0.layer_norm.weight", p + "1.DenseReluDense.wi_0.weight",
                p + "1.DenseReluDense.wi_1.weight", p + "1.DenseReluDense.wo.weight", p + "1.layer_norm.weight"]);
        }
        Assert.Equal(expected.OrderBy(k => k, StringComparer.Ordinal), keys);
        Assert.Equal([16L, 4 * 4], m.SaveStateDict()["encoder.block.1.layer.0.SelfAttention.o.weight"].shape);
        Assert.Equal([32L, 4], m.SaveStateDict()["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"].shape);
    }

    [Fact]
    public void EmbedTokens_IsTiedToShared()
    {
        using var m = Tiny();
        var sd = m.state_dict();
        Assert.True(sd.ContainsKey(T5EncoderModel.TiedKey));
        Assert.False(m.SaveStateDict().ContainsKey(T5EncoderModel.TiedKey));   // HF does not write it either
        using (no_grad()) sd["shared.weight"].fill_(0.25);
        Assert.Equal(0.25f, sd[T5EncoderModel.TiedKey][3, 2].item<float>());
        Assert.Equal(m.state_dict().Values.Sum(t => t.numel()) - T5Config.Tiny.VocabSize * 16L, m.ParameterCount());
    }

    [Fact]
    public void Forward_BFloat16_CloseToFloat32()
    {
        using var m = Tiny();
        manual_seed(0);
        using var mb = new T5EncoderModel(T5Config.Tiny, dtype: ScalarType.BFloat16);
        LaMo.Core.StateDictLoader.Load(mb, m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));
        using var ids = tensor(new long[] { 5, 9, 3, 1, 0, 0 }, [1, 6]);
        using var a = m.forward(ids, null);
        using var b = mb.forward(ids, null);
        Assert.Equal(ScalarType.BFloat16, b.dtype);
        double diff = (a - b.to(ScalarType.Float32)).abs().max().item<float>();
        Assert.True(diff < 0.1, $"max diff {diff}");
    }

    [Fact]
    public void Forward_ShapeAndDeterminism()
    {
        using var m = Tiny();
        using var ids = tensor(new long[] { 5, 9, 3, 1, 0, 0, 7, 8, 1, 0, 0, 0 }, [2, 6]);
        using var a = m.forward(ids, null);
        using var b = m.forward(ids, null);
        Assert.Equal([2L, 6, 16], a.shape);
        Assert.True(a.isfinite().all().item<bool>());
        Assert.True(a.equal(b).all().item<bool>());
        using var m2 = Tiny();
        using var c = m2.forward(ids, null);
        Assert.True(a.equal(c).all().item<bool>());       // same seed → same weights → same output
    }

    [Fact]
    public void Forward_NoMask_PaddingAffectsEarlierTokens()
    {
        // The T5 encoder without a mask is bidirectional: pads are attended to, so more padding changes real tokens.
        using var m = Tiny();
        using var shortPad = tensor(new long[] { 5, 9, 3, 1, 0, 0 }, [1, 6]);
        using var longPad = tensor(new long[] { 5, 9, 3, 1, 0, 0, 0, 0, 0, 0 }, [1, 10]);
        using var a = m.forward(shortPad, null);
        using var b = m.forward(longPad, null);
        double diff = (a[.., ..4] - b[.., ..4]).abs().max().item<float>();
        Assert.True(diff > 1e-4, $"max diff {diff}");
    }

    [Fact]
    public void Forward_WithMask_PaddingDoesNotAffectRealTokens()
    {
        using var m = Tiny();
        using var shortPad = tensor(new long[] { 5, 9, 3, 1, 0, 0 }, [1, 6]);
        using var shortMask = tensor(new long[] { 1, 1, 1, 1, 0, 0 }, [1, 6]);
        using var longPad = tensor(new long[] { 5, 9, 3, 1, 0, 0, 0, 0, 0, 0 }, [1, 10]);
        using var longMask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 }, [1, 10]);
        using var a = m.forward(shortPad, shortMask);
        using var b = m.forward(longPad, longMask);
        double diff = (a[.., ..4] - b[.., ..4]).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"max diff {diff}");
    }

    [Fact]
    public void MetaDevice_XxlParameterCount_MatchesIndependentCount()
    {
        var c = T5Config.T5V11Xxl;
        using var m = new T5EncoderModel(c, device: META);
        long perBlock = 4L * c.DModel * c.InnerDim + 3L * c.DModel * c.DFf + 2L * c.DModel;
        long independent = (long)c.VocabSize * c.DModel + c.NumLayers * perBlock
            + (long)c.RelativeAttentionNumBuckets * c.NumHeads + c.DModel;
        Assert.Equal(independent, m.ParameterCount());
        Assert.Equal(4_762_310_656L, m.ParameterCount());
        var sd = m.SaveStateDict();
        Assert.Equal(2 + 24 * 9 + 1, sd.Count);
        Assert.Equal([10240L, 4096], sd["encoder.block.23.layer.1.DenseReluDense.wi_1.weight"].shape);
        Assert.Equal([32128L, 4096], sd["shared.weight"].shape);
    }
}
