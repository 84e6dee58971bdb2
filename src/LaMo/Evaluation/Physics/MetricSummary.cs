namespace LaMo.Evaluation.Physics;

/// <summary>Mean and median of one metric over the clips where it applies.</summary>
/// <param name="Count">Clips with a value.</param>
/// <param name="Mean">Mean (NaN when Count = 0).</param>
/// <param name="Median">Median (NaN when Count = 0).</param>
public sealed record MetricSummary(int Count, double Mean, double Median)
{
    /// <summary>Summarises the non-null values.</summary>
    public static MetricSummary Of(IEnumerable<double?> values)
    {
        var v = values.OfType<double>().Order().ToArray();
        if (v.Length == 0) return new(0, double.NaN, double.NaN);
        var med = v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
        return new(v.Length, v.Average(), med);
    }
}

/// <summary>Every metric's summary over one group of clips.</summary>
/// <param name="Scenario">Scenario name, or <c>all</c>.</param>
/// <param name="Split">Split name, or <c>all</c>.</param>
/// <param name="Clips">Clips in the group.</param>
/// <param name="Metrics">Metric name (<see cref="ClipPhysicsResult.Metrics"/>) → summary.</param>
public sealed record GroupSummary(string Scenario, string Split, int Clips, IReadOnlyDictionary<string, MetricSummary> Metrics)
{
    /// <summary>Summarises a group.</summary>
    public static GroupSummary Of(string scenario, string split, IReadOnlyList<ClipPhysicsResult> clips) =>
        new(scenario, split, clips.Count, ClipPhysicsResult.Metrics.ToDictionary(m => m.Name, m => MetricSummary.Of(clips.Select(m.Select))));
}
