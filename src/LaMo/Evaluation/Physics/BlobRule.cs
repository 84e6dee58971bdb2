namespace LaMo.Evaluation.Physics;

/// <summary>When a colour measurement is an object (issue 16: speckle noise with no ball in it counted as present).
/// The core is the heaviest 4-connected component of the mask <c>w ≥ MaskThreshold</c>; its region is the core grown
/// by <see cref="Margin"/> pixels (the disc's anti-aliased rim). An object is present iff</summary>
/// <remarks><list type="bullet">
/// <item>size: the region's weight B is at least the detection area and at most <see cref="MaxAreaFactor"/> times the
/// expected disc area (a smear of the colour over a large part of the frame is not a ball);</item>
/// <item>concentration: B is at least <see cref="MinConcentration"/> of the colour's weight A in the whole frame
/// (speckle and haze spread their weight everywhere);</item>
/// <item>compactness: the core fills at least <see cref="MinRoundness"/> of the disc whose diameter is the core's
/// longer bounding-box side (streaks and lines are not).</item>
/// </list>On lossless renders every ball passes with B = A, and the rule changes nothing.</remarks>
/// <param name="ExpectedArea">π·(r/s)² in pixels of this frame (zoom included).</param>
/// <param name="MaskThreshold">Weight threshold of the core mask.</param>
/// <param name="MaxAreaFactor">Largest plausible B as a multiple of <paramref name="ExpectedArea"/>.</param>
/// <param name="MinConcentration">Smallest B / A.</param>
/// <param name="MinRoundness">Smallest core pixels / (π·(d/2)²), d = longer bounding-box side.</param>
public readonly record struct BlobRule(double ExpectedArea, double MaskThreshold, double MaxAreaFactor, double MinConcentration, double MinRoundness)
{
    /// <summary>Pixels the core is grown by (Chebyshev) to take in the rim.</summary>
    public const int Margin = 2;

    /// <summary>True when the frame holds an object-like blob of channel κ (see the type's remarks).</summary>
    /// <param name="frame">[H, W, 3] RGB bytes.</param>
    /// <param name="width">W.</param>
    /// <param name="height">H.</param>
    /// <param name="channel">κ.</param>
    /// <param name="full">Full-coverage level (255 times the light gain).</param>
    /// <param name="totalWeight">A, the colour's weight in the whole frame.</param>
    /// <param name="minArea">Detection area.</param>
    public bool Accepts(ReadOnlySpan<byte> frame, int width, int height, int channel, double full, double totalWeight, double minArea)
    {
        int n = width * height;
        var w = new double[n];
        for (var p = 0; p < n; p++) w[p] = ColourParser.Weight(frame, p, channel, full);
        var core = HeaviestComponent(w, width, height);
        if (core.Count == 0) return false;
        int i0 = width, i1 = -1, j0 = height, j1 = -1;
        var region = new bool[n];
        foreach (var p in core)
        {
            int i = p % width, j = p / width;
            (i0, i1, j0, j1) = (Math.Min(i0, i), Math.Max(i1, i), Math.Min(j0, j), Math.Max(j1, j));
            for (var dj = -Margin; dj <= Margin; dj++)
                for (var di = -Margin; di <= Margin; di++)
                {
                    int x = i + di, y = j + dj;
                    if (x >= 0 && x < width && y >= 0 && y < height) region[y * width + x] = true;
                }
        }
        double b = 0;
        for (var p = 0; p < n; p++) if (region[p]) b += w[p];
        double d = Math.Max(i1 - i0 + 1, j1 - j0 + 1);
        double roundness = core.Count / (Math.PI * d * d / 4);
        return b >= minArea && b <= MaxAreaFactor * ExpectedArea && b >= MinConcentration * totalWeight && roundness >= MinRoundness;
    }

    // The 4-connected component of w ≥ MaskThreshold with the largest weight (empty when no pixel reaches it).
    private List<int> HeaviestComponent(double[] w, int width, int height)
    {
        var seen = new bool[w.Length];
        double threshold = MaskThreshold;
        var best = new List<int>();
        double bestWeight = 0;
        var stack = new Stack<int>();
        for (var start = 0; start < w.Length; start++)
        {
            if (seen[start] || w[start] < threshold) continue;
            var comp = new List<int>();
            double sum = 0;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                comp.Add(p);
                sum += w[p];
                int i = p % width, j = p / width;
                if (i > 0) Visit(p - 1);
                if (i < width - 1) Visit(p + 1);
                if (j > 0) Visit(p - width);
                if (j < height - 1) Visit(p + width);
            }
            if (sum > bestWeight) (best, bestWeight) = (comp, sum);
        }
        return best;

        void Visit(int q)
        {
            if (seen[q] || w[q] < threshold) return;
            seen[q] = true;
            stack.Push(q);
        }
    }
}
