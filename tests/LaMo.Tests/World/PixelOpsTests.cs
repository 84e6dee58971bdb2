using LaMo.World;
using Xunit;

namespace LaMo.Tests.World;

public class PixelOpsTests
{
    [Fact]
    public void ToBytes_MatchesTheScalarRoundClampCast_Everywhere()
    {
        var values = new List<float> { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 1e9f, -1e9f, 255.5f, 254.5f, 0.5f, -0.5f, 1.5f };
        for (var k = -300 * 64; k <= 600 * 64; k++) values.Add(k / 64f);
        for (var n = -3; n <= 300; n++) values.AddRange([n + 0.5f, MathF.BitDecrement(n + 0.5f), MathF.BitIncrement(n + 0.5f)]);
        var rng = new Random(1);
        for (var k = 0; k < 20000; k++) values.Add((float)(rng.NextDouble() * 300 - 20));
        var src = values.ToArray();
        for (var offset = 0; offset < 3; offset++)   // odd lengths and starts exercise the scalar tail
        {
            var span = src.AsSpan(offset);
            var bytes = new byte[span.Length];
            PixelOps.ToBytes(span, bytes);
            for (var i = 0; i < span.Length; i++)
                Assert.True((byte)Math.Clamp(MathF.Round(span[i]), 0, 255) == bytes[i], $"{span[i]:R}: {bytes[i]}");
        }
    }

    [Fact]
    public void Scale_MatchesTheScalarDoubleProduct()
    {
        var rng = new Random(2);
        foreach (var gain in new[] { 0.7, 0.85, 1.0, 1 - 0.3 * rng.NextDouble(), rng.NextDouble() })
        {
            var img = Enumerable.Range(0, 1001).Select(_ => (float)(rng.NextDouble() * 255)).ToArray();
            var expected = img.Select(v => (float)(v * gain)).ToArray();
            PixelOps.Scale(img, gain);
            Assert.Equal(expected, img);
        }
    }
}
