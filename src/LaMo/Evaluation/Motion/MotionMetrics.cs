namespace LaMo.Evaluation.Motion;

/// <summary>VBench-style motion metrics on any RGB video, approximated without learned models (AMT, RAFT, DINO cannot be
/// downloaded here). Each keeps VBench's scoring rule and swaps the network for a classical stand-in:</summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Motion smoothness</b> (VBench: AMT frame interpolation): drop the odd frames; re-synthesise each odd frame t
/// from t−1 and t+1 by Farneback flow (warp both neighbours half-way, <c>a(p − ½F_ab(p))</c> and
/// <c>b(p − ½F_ba(p))</c>, and average); score = mean over t of <c>(255 − MAE)/255</c>.</item>
/// <item><b>Dynamic degree</b> (VBench: RAFT): Farneback flow per consecutive pair; per pair the mean of the top 5 % flow
/// magnitudes; a pair moves if that exceeds <c>max(1, 8/fps)·6·min(H, W)/256</c> px; the video is dynamic if at least
/// <c>round(4·F/16)</c> pairs move (VBench's dynamic_degree.py rule, with a floor of 1).</item>
/// <item><b>Temporal flickering</b> (VBench's own pixel rule): <c>(255 − mean over pairs of MAE(frame t, t+1))/255</c>.</item>
/// <item><b>Subject consistency proxy</b> (VBench: DINO features): feature = unit-norm joint RGB histogram (bins³) and
/// unit-norm HOG-like magnitude-weighted 9-bin orientation histograms on a cells×cells grid, concatenated;
/// score = mean over t ≥ 1 of <c>(cos(f_t, f_0) + cos(f_t, f_{t−1}))/2</c>. It sees appearance statistics, not identity:
/// stationary noise scores high too.</item>
/// </list>
/// </remarks>
public static class MotionMetrics
{
    /// <summary>Scores one video.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static MotionResult Evaluate(string name, FrameStack v, MotionOptions options)
    {
        options.Validate();
        int h = v.Height, w = v.Width, f = v.Count;
        double threshold = Math.Max(1, 8 / options.Fps) * options.BaseThreshold * Math.Min(h, w) / 256.0;
        int required = Math.Max(1, (int)Math.Round(4 * f / 16.0, MidpointRounding.ToEven));
        var scores = new List<double>();
        for (var t = 0; t + 1 < f; t++)
        {
            var (dx, dy) = FarnebackFlow.Compute(v.Frame(t), v.Frame(t + 1), h, w, options);
            scores.Add(TopMean(dx, dy, options.TopFraction));
        }
        int moving = scores.Count(s => s > threshold);
        return new MotionResult(name, f, h, w, Smoothness(v, options), scores.Count == 0 ? null : scores.Average(),
            scores.Count == 0 ? null : moving >= required, threshold, moving, required, Flickering(v), SubjectConsistency(v, options));
    }

    /// <summary>Motion smoothness (see remarks); null under 3 frames.</summary>
    public static double? Smoothness(FrameStack v, MotionOptions o)
    {
        int h = v.Height, w = v.Width;
        var s = new List<double>();
        for (var t = 1; t + 1 < v.Count; t += 2)
        {
            ReadOnlySpan<byte> a = v.Frame(t - 1), b = v.Frame(t + 1);
            var (abx, aby) = FarnebackFlow.Compute(a, b, h, w, o);
            var (bax, bay) = FarnebackFlow.Compute(b, a, h, w, o);
            var fromA = FarnebackFlow.Warp(a, h, w, abx, aby, -0.5f);
            var fromB = FarnebackFlow.Warp(b, h, w, bax, bay, -0.5f);
            var actual = v.Frame(t);
            double sum = 0;
            for (var i = 0; i < actual.Length; i++) sum += Math.Abs((fromA[i] + fromB[i]) / 2.0 - actual[i]);
            s.Add((255 - sum / actual.Length) / 255);
        }
        return s.Count == 0 ? null : s.Average();
    }

    /// <summary>Temporal flickering score; null for a single frame.</summary>
    public static double? Flickering(FrameStack v)
    {
        if (v.Count < 2) return null;
        double total = 0;
        for (var t = 0; t + 1 < v.Count; t++)
        {
            ReadOnlySpan<byte> a = v.Frame(t), b = v.Frame(t + 1);
            long sum = 0;
            for (var i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
            total += sum / (double)a.Length;
        }
        return (255 - total / (v.Count - 1)) / 255;
    }

    /// <summary>Subject-consistency proxy; null for a single frame.</summary>
    public static double? SubjectConsistency(FrameStack v, MotionOptions o)
    {
        if (v.Count < 2) return null;
        var feats = Enumerable.Range(0, v.Count).Select(t => Feature(v.Frame(t), v.Height, v.Width, o)).ToArray();
        double s = 0;
        for (var t = 1; t < v.Count; t++) s += (Cosine(feats[t], feats[0]) + Cosine(feats[t], feats[t - 1])) / 2;
        return s / (v.Count - 1);
    }

    /// <summary>The subject-consistency feature of one RGB frame (unit norm).</summary>
    public static double[] Feature(ReadOnlySpan<byte> rgb, int h, int w, MotionOptions o)
    {
        int bins = o.HistogramBins, cells = o.HogCells;
        var hist = new double[bins * bins * bins];
        var gray = new double[h * w];
        for (var p = 0; p < h * w; p++)
        {
            int r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2];
            hist[(r * bins / 256 * bins + g * bins / 256) * bins + b * bins / 256]++;
            gray[p] = 0.299 * r + 0.587 * g + 0.114 * b;
        }
        var hog = new double[cells * cells * 9];
        for (var j = 0; j < h; j++)
            for (var i = 0; i < w; i++)
            {
                double gx = gray[j * w + Math.Min(w - 1, i + 1)] - gray[j * w + Math.Max(0, i - 1)];
                double gy = gray[Math.Min(h - 1, j + 1) * w + i] - gray[Math.Max(0, j - 1) * w + i];
                var mag = Math.Sqrt(gx * gx + gy * gy);
                if (mag == 0) continue;
                var ang = Math.Atan2(gy, gx);
                if (ang < 0) ang += Math.PI;                                  // unsigned orientation in [0, π)
                var bin = Math.Min(8, (int)(ang / Math.PI * 9));
                hog[((j * cells / h) * cells + i * cells / w) * 9 + bin] += mag;
            }
        Normalise(hist);
        Normalise(hog);
        var f = hist.Concat(hog).ToArray();
        Normalise(f);
        return f;
    }

    private static void Normalise(double[] x)
    {
        var n = Math.Sqrt(x.Sum(v => v * v));
        if (n > 0) for (var i = 0; i < x.Length; i++) x[i] /= n;
    }

    private static double Cosine(double[] a, double[] b)
    {
        double d = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return na == 0 || nb == 0 ? (na == nb ? 1 : 0) : d / Math.Sqrt(na * nb);
    }

    private static double TopMean(float[] dx, float[] dy, double fraction)
    {
        var mag = new double[dx.Length];
        for (var i = 0; i < mag.Length; i++) mag[i] = Math.Sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        Array.Sort(mag);
        var k = Math.Max(1, (int)(mag.Length * fraction));
        double s = 0;
        for (var i = mag.Length - k; i < mag.Length; i++) s += mag[i];
        return s / k;
    }
}
