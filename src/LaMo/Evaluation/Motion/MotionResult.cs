namespace LaMo.Evaluation.Motion;

/// <summary>VBench-style motion metrics of one video (approximations without learned models; see <see cref="MotionMetrics"/>).</summary>
/// <param name="Video">Video name.</param>
/// <param name="Frames">Frame count.</param>
/// <param name="Height">Height, px.</param>
/// <param name="Width">Width, px.</param>
/// <param name="MotionSmoothness">Mean (255 − MAE)/255 of odd frames re-synthesised from their neighbours; 1 = perfectly predictable. Null under 3 frames.</param>
/// <param name="FlowScore">Mean over consecutive pairs of the mean top-5 % Farneback flow magnitude, px.</param>
/// <param name="Dynamic">VBench dynamic degree: at least <paramref name="RequiredPairs"/> pairs above <paramref name="Threshold"/>.</param>
/// <param name="Threshold">Pixel threshold, <c>max(1, 8/fps)·6·min(H, W)/256</c>.</param>
/// <param name="MovingPairs">Pairs whose top-5 % flow exceeds the threshold.</param>
/// <param name="RequiredPairs"><c>max(1, round(4·F/16))</c>.</param>
/// <param name="TemporalFlickering">(255 − mean MAE of consecutive frames)/255; 1 = no change at all.</param>
/// <param name="SubjectConsistency">Mean over t ≥ 1 of (cos(f_t, f_0) + cos(f_t, f_{t−1}))/2, f = colour histogram + HOG-like feature.</param>
public sealed record MotionResult(string Video, int Frames, int Height, int Width, double? MotionSmoothness, double? FlowScore,
    bool? Dynamic, double Threshold, int MovingPairs, int RequiredPairs, double? TemporalFlickering, double? SubjectConsistency);

/// <summary>Motion metrics of a set of videos with their means (dynamic degree = fraction of dynamic videos).</summary>
/// <param name="Options">Options that produced it.</param>
/// <param name="Videos">Per video.</param>
/// <param name="MeanSmoothness">Mean motion smoothness.</param>
/// <param name="DynamicDegree">Fraction of videos judged dynamic.</param>
/// <param name="MeanFlickering">Mean temporal flickering score.</param>
/// <param name="MeanSubjectConsistency">Mean subject-consistency proxy.</param>
public sealed record MotionReport(MotionOptions Options, IReadOnlyList<MotionResult> Videos, double MeanSmoothness, double DynamicDegree,
    double MeanFlickering, double MeanSubjectConsistency);

/// <summary>Accumulates motion results (style B8: Update, Compute, Reset).</summary>
public sealed class MotionEvaluator(MotionOptions options)
{
    private readonly List<MotionResult> _results = [];

    /// <summary>Options.</summary>
    public MotionOptions Options { get; } = options.Validate();

    /// <summary>Scores one video and keeps the result.</summary>
    public MotionResult Update(string name, FrameStack video)
    {
        var r = MotionMetrics.Evaluate(name, video, Options);
        _results.Add(r);
        return r;
    }

    /// <summary>Videos seen so far.</summary>
    public int Count => _results.Count;

    /// <summary>Keeps a result computed elsewhere (e.g. by another part of a sharded evaluation).</summary>
    public void Add(MotionResult result) => _results.Add(result);

    /// <summary>Means over everything seen so far (NaN for an empty set).</summary>
    public MotionReport Compute()
    {
        static double Mean(IEnumerable<double?> xs) { var a = xs.OfType<double>().ToArray(); return a.Length == 0 ? double.NaN : a.Average(); }
        return new MotionReport(Options, _results.ToArray(), Mean(_results.Select(r => r.MotionSmoothness)),
            Mean(_results.Select(r => r.Dynamic is { } d ? (d ? 1.0 : 0.0) : (double?)null)),
            Mean(_results.Select(r => r.TemporalFlickering)), Mean(_results.Select(r => r.SubjectConsistency)));
    }

    /// <summary>Forgets all results.</summary>
    public void Reset() => _results.Clear();
}
