namespace LaMo.Evaluation.Physics;

/// <summary>The bar a base model must clear before fine-tunes are compared on it (docs/results/study-v2.md, "Quality bar").</summary>
/// <param name="MaxFailureRate">Largest fraction of failed clips.</param>
/// <param name="MaxM1cRatio">Largest M1c relative to constant-velocity extrapolation's M1c on the same clips.</param>
/// <param name="MaxSizeDrift">Largest mean M5 (size drift).</param>
public sealed record QualityBar(double MaxFailureRate = 0.05, double MaxM1cRatio = 0.5, double MaxSizeDrift = 0.2);

/// <summary>How a model's continuation videos fare against a <see cref="QualityBar"/>.</summary>
/// <param name="Clips">Clips judged.</param>
/// <param name="FailureRate">Fraction of clips where the model lost a ball.</param>
/// <param name="M1cPairs">Clips where both the model and constant-velocity extrapolation have an M1c.</param>
/// <param name="M1c">The model's mean M1c on those clips (units/s).</param>
/// <param name="ConstantVelocityM1c">Constant-velocity extrapolation's mean M1c on the same clips (units/s).</param>
/// <param name="SizeDrift">Mean M5 over the clips that have one.</param>
/// <param name="Bar">The bar applied.</param>
public sealed record QualityGateResult(int Clips, double FailureRate, int M1cPairs, double M1c, double ConstantVelocityM1c, double SizeDrift, QualityBar Bar)
{
    /// <summary>M1c / constant-velocity M1c.</summary>
    public double M1cRatio => M1c / ConstantVelocityM1c;

    /// <summary>The failure criterion holds.</summary>
    public bool FailurePasses => FailureRate <= Bar.MaxFailureRate;

    /// <summary>The M1c criterion holds (false when no clip has both values).</summary>
    public bool M1cPasses => M1cPairs > 0 && M1cRatio <= Bar.MaxM1cRatio;

    /// <summary>The size-drift criterion holds (false when no clip has an M5).</summary>
    public bool SizeDriftPasses => !double.IsNaN(SizeDrift) && SizeDrift <= Bar.MaxSizeDrift;

    /// <summary>All three criteria hold.</summary>
    public bool Passes => FailurePasses && M1cPasses && SizeDriftPasses;
}

/// <summary>Checks a model's continuation results against a <see cref="QualityBar"/>, pooling any number of evaluations
/// (one per world condition).</summary>
public static class QualityGate
{
    /// <summary>Pools <paramref name="evaluations"/>: each must hold the model's row <paramref name="method"/> and the
    /// constant-velocity reference row over the same clips (<c>lamo eval physics</c> in continuation mode).</summary>
    /// <exception cref="ArgumentException">No evaluation, or one without either row (names it).</exception>
    public static QualityGateResult Evaluate(IReadOnlyList<PhysicsBenchmarkResult> evaluations, string method, QualityBar? bar = null)
    {
        if (evaluations.Count == 0) throw new ArgumentException("give at least one evaluation", nameof(evaluations));
        var pairs = new List<(ClipPhysicsResult Model, ClipPhysicsResult? Reference)>();
        foreach (var (e, i) in evaluations.Select((e, i) => (e, i)))
        {
            var model = Row(e, method, i);
            var reference = Row(e, ReferenceVideos.ConstantVelocityName, i).Clips.ToDictionary(c => c.ClipId);
            pairs.AddRange(model.Clips.Select(c => (c, reference.GetValueOrDefault(c.ClipId))));
        }
        var m1c = pairs.Where(p => p.Model.M1cFittedVelocityError is not null && p.Reference?.M1cFittedVelocityError is not null).ToArray();
        var m5 = pairs.Select(p => p.Model.M5SizeDrift).OfType<double>().ToArray();
        return new QualityGateResult(
            pairs.Count,
            pairs.Count(p => p.Model.Failure) / (double)pairs.Count,
            m1c.Length,
            m1c.Length == 0 ? double.NaN : m1c.Average(p => p.Model.M1cFittedVelocityError!.Value),
            m1c.Length == 0 ? double.NaN : m1c.Average(p => p.Reference!.M1cFittedVelocityError!.Value),
            m5.Length == 0 ? double.NaN : m5.Average(),
            bar ?? new QualityBar());
    }

    private static PhysicsReport Row(PhysicsBenchmarkResult e, string method, int index) =>
        e.Rows.FirstOrDefault(r => r.Method == method)
        ?? throw new ArgumentException($"evaluation {index + 1} has no row '{method}' (rows: {string.Join(", ", e.Rows.Select(r => r.Method))})", nameof(e));
}
