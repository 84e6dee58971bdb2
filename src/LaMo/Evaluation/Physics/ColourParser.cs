using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>The benchmark's colour parser (docs/physics-benchmark.md, "Metrics"): per object of colour channel κ,
/// <c>w(p) = clip(I_κ(p) − max over the other channels, 0, 1)</c> on [0, 1] intensities; area <c>A = Σ w</c>;
/// centre = w-weighted mean of pixel centres (i + 0.5, j + 0.5); <c>r̂ = s·sqrt(A/π)</c>.</summary>
/// <remarks>Only pure primaries are ball colours (<see cref="Palette.BallColours"/>: red, green, blue); walls, floor,
/// string and backgrounds are neutral greys and get weight 0. Any other colour name is rejected. World v2: backgrounds
/// are projected per clip so that each ball channel equals the max of the other two (<see cref="SeparablePalette"/>),
/// which keeps w exact; under a changing light the ground-truth gain g_κ(t) of the frame divides the weight,
/// <c>w = clip((I_κ − max others) / (255·g_κ), 0, 1)</c>, so the lit ball's interior still weighs 1 (g = 1 in v1).</remarks>
public static class ColourParser
{
    /// <summary>Channel index (0 = R, 1 = G, 2 = B) of a ball colour name.</summary>
    /// <exception cref="NotSupportedException">A colour the parser cannot isolate (not red, green or blue).</exception>
    public static int ChannelOf(string colour) => colour switch
    {
        "red" => 0,
        "green" => 1,
        "blue" => 2,
        _ => throw new NotSupportedException(
            $"colour '{colour}' cannot be parsed: the benchmark parser isolates only pure red, green and blue balls"),
    };

    /// <summary>w(p) of pixel index p (row-major) for channel κ.</summary>
    public static double Weight(ReadOnlySpan<byte> frame, int pixel, int channel) => Weight(frame, pixel, channel, 255.0);

    /// <summary>w(p) with full-coverage level <paramref name="full"/> (255 times the frame's light gain of κ).</summary>
    public static double Weight(ReadOnlySpan<byte> frame, int pixel, int channel, double full)
    {
        int p = 3 * pixel;
        int c = frame[p + channel];
        int o = Math.Max(frame[p + (channel + 1) % 3], frame[p + (channel + 2) % 3]);
        return Math.Clamp((c - o) / full, 0, 1);
    }

    /// <summary>Area and weighted centre of channel κ in one [H, W, 3] RGB frame.</summary>
    /// <param name="frame">[H, W, 3] RGB bytes.</param>
    /// <param name="width">W.</param>
    /// <param name="height">H.</param>
    /// <param name="channel">κ.</param>
    /// <param name="minArea">Detection threshold on A, pixels.</param>
    /// <param name="gain">Ground-truth light gain of channel κ in this frame (1 in v1).</param>
    /// <param name="blob">When set, detection also needs an object-like blob (<see cref="BlobRule"/>): speckle, haze,
    /// streaks and smears of the ball's colour are not a ball. Null: the area rule alone.</param>
    public static BlobMeasurement Measure(ReadOnlySpan<byte> frame, int width, int height, int channel, double minArea, double gain = 1,
        BlobRule? blob = null)
    {
        var full = 255.0 * gain;
        double a = 0, su = 0, sv = 0;
        for (var j = 0; j < height; j++)
            for (var i = 0; i < width; i++)
            {
                var w = Weight(frame, j * width + i, channel, full);
                if (w <= 0) continue;
                a += w;
                su += w * (i + 0.5);
                sv += w * (j + 0.5);
            }
        if (a <= 0) return new(0, double.NaN, double.NaN, false);
        bool detected = a >= minArea && (blob is not { } rule || rule.Accepts(frame, width, height, channel, full, a, minArea));
        return new(a, su / a, sv / a, detected);
    }

    /// <summary>Binary object mask: w(p) ≥ <paramref name="threshold"/>, [H·W] row-major.</summary>
    public static bool[] Mask(ReadOnlySpan<byte> frame, int width, int height, int channel, double threshold, double gain = 1)
    {
        var m = new bool[width * height];
        var full = 255.0 * gain;
        for (var p = 0; p < m.Length; p++) m[p] = Weight(frame, p, channel, full) >= threshold;
        return m;
    }

    /// <summary>Number of 4-connected components of a mask with at least <paramref name="minPixels"/> pixels.</summary>
    public static int CountBlobs(bool[] mask, int width, int height, int minPixels)
    {
        var seen = new bool[mask.Length];
        var stack = new Stack<int>();
        int blobs = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || seen[start]) continue;
            int size = 0;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                size++;
                int i = p % width, j = p / width;
                if (i > 0) Visit(p - 1);
                if (i < width - 1) Visit(p + 1);
                if (j > 0) Visit(p - width);
                if (j < height - 1) Visit(p + width);
            }
            if (size >= minPixels) blobs++;
        }
        return blobs;

        void Visit(int q)
        {
            if (!mask[q] || seen[q]) return;
            seen[q] = true;
            stack.Push(q);
        }
    }
}
