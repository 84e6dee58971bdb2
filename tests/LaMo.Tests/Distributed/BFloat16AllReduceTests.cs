using System.Text.Json.Nodes;
using LaMo.Distributed;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Distributed;

/// <summary>bfloat16 all-reduce: the bit conversions against LibTorch's, and 2 ranks summing (in place, custom MPI op)
/// and averaging gradients (staged through float32) against LibTorch's rounding of the float32 results.</summary>
[Collection("Torch")]
public sealed class BFloat16AllReduceTests
{
    private static float Widen(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);   // bf16 → float32 is exact

    /// <summary>LibTorch's float32 → bfloat16 rounding, as raw bits.</summary>
    private static ushort[] TorchRound(float[] values)
    {
        using var scope = NewDisposeScope();
        return tensor(values).to_type(ScalarType.BFloat16).to_type(ScalarType.Float32).data<float>().ToArray()
            .Select(f => (ushort)(BitConverter.SingleToUInt32Bits(f) >> 16)).ToArray();
    }

    private static void AssertSameBf16(ushort expected, ushort actual, string what)
    {
        if (float.IsNaN(Widen(expected))) Assert.True(float.IsNaN(Widen(actual)), $"{what}: expected NaN, got 0x{actual:X4}");
        else Assert.True(expected == actual, $"{what}: expected 0x{expected:X4} ({Widen(expected)}), got 0x{actual:X4} ({Widen(actual)})");
    }

    [Fact]
    public void FromSingle_RoundsLikeLibTorch_TiesToEven_OverflowToInfinity_NaNStaysNaN()
    {
        var rng = new Random(3);
        var values = new List<float>
        {
            1f + MathF.Pow(2, -8), 1f + 3 * MathF.Pow(2, -8), -(1f + MathF.Pow(2, -8)), float.MaxValue, -float.MaxValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f, 0f, float.Epsilon, 3.4e38f,
        };
        for (int i = 0; i < 20_000; i++) values.Add(BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31)));
        for (int i = 0; i < 2_000; i++) values.Add(BitConverter.Int32BitsToSingle((rng.Next() & ~0xFFFF) | 0x8000));   // exact ties
        var expected = TorchRound([.. values]);
        for (int i = 0; i < values.Count; i++)
            AssertSameBf16(expected[i], BFloat16Bits.FromSingle(values[i]), $"value {values[i]:R} (0x{BitConverter.SingleToUInt32Bits(values[i]):X8})");
        Assert.Equal(0x3F80, BFloat16Bits.FromSingle(1f + MathF.Pow(2, -8)));      // tie → even (down)
        Assert.Equal(0x3F82, BFloat16Bits.FromSingle(1f + 3 * MathF.Pow(2, -8)));  // tie → even (up)
        Assert.Equal(0x7F80, BFloat16Bits.FromSingle(float.MaxValue));
        // A NaN whose payload sits only in the dropped bits must not become +∞.
        Assert.True(float.IsNaN(BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(BitConverter.Int32BitsToSingle(0x7F800001)))));
        Assert.Equal(1.5f, BFloat16Bits.ToSingle(0x3FC0));
    }

    [MpiFact]
    public void TwoRanks_SumBFloat16InPlace_AndAverageBFloat16Gradients_MatchFloat32RoundedToBFloat16()
    {
        string outFile = Path.Combine(Path.GetTempPath(), $"lamo-bf16-{Guid.NewGuid():N}.json");
        try
        {
            MpiDriverRunner.Mpirun(2, ["bf16", "--out", outFile]);
            var doc = JsonNode.Parse(File.ReadAllText(outFile))!;
            Assert.Equal(2, (int)doc["ranks"]!);

            var sum = doc["sum"]!.AsArray().Select(v => (ushort)(int)v!).ToArray();
            var (c0, c1) = (BFloat16Case.Contribution(0), BFloat16Case.Contribution(1));
            var expectedSum = TorchRound(c0.Zip(c1, (a, b) => Widen(a) + Widen(b)).ToArray());
            Assert.Equal(BFloat16Case.Length, sum.Length);
            for (int i = 0; i < sum.Length; i++) AssertSameBf16(expectedSum[i], sum[i], $"sum[{i}] of 0x{c0[i]:X4} + 0x{c1[i]:X4}");
            Assert.Equal(0x3F80, sum[0]);   // the tie cases, spelled out
            Assert.Equal(0x3F82, sum[1]);
            Assert.Equal(0x7F80, sum[3]);
            Assert.Equal(0x8000, sum[8]);

            var mean = doc["grad_mean"]!.AsArray().Select(v => (ushort)(int)v!).ToArray();
            var (g0, g1) = (BFloat16Case.Gradient(0, 600), BFloat16Case.Gradient(1, 600));
            var expectedMean = TorchRound(g0.Zip(g1, (a, b) => (Widen(a) + Widen(b)) / 2f).ToArray());
            Assert.Equal(expectedMean, mean);
            Assert.Equal(["BFloat16", "BFloat16"], doc["grad_dtypes"]!.AsArray().Select(v => (string)v!));
            Assert.NotEqual(g0, mean);   // rank 0's own gradients were replaced by the mean
        }
        finally { File.Delete(outFile); }
    }
}
