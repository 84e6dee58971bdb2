using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>All results of one method: per clip, per (scenario, split) group, and overall (<c>all</c>, <c>all</c>).</summary>
/// <param name="Method">Row name.</param>
/// <param name="Options">Options that produced it.</param>
/// <param name="Clips">Per-clip results in update order.</param>
/// <param name="Groups">Summaries: overall first, then per scenario (all splits), then per (scenario, split).</param>
public sealed record PhysicsReport(string Method, PhysicsOptions Options, IReadOnlyList<ClipPhysicsResult> Clips, IReadOnlyList<GroupSummary> Groups)
{
    /// <summary>The overall summary (all scenarios, all splits).</summary>
    public GroupSummary Overall => Groups[0];
}

/// <summary>Accumulates clip results for one method, then summarises them (style B8: Update, Compute, Reset).</summary>
public sealed class PhysicsEvaluator
{
    private readonly List<ClipPhysicsResult> _results = [];

    /// <summary>Creates an evaluator for a named method.</summary>
    /// <exception cref="ArgumentException">Empty name or invalid options.</exception>
    public PhysicsEvaluator(string method, PhysicsOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        Method = method;
        Options = options.Validate();
    }

    /// <summary>Row name.</summary>
    public string Method { get; }

    /// <summary>Options.</summary>
    public PhysicsOptions Options { get; }

    /// <summary>Evaluates one video and keeps its result.</summary>
    /// <exception cref="ArgumentException">Duplicate clip id or an incompatible video (see <see cref="ClipEvaluator.Evaluate"/>).</exception>
    public ClipPhysicsResult Update(string clipId, WorldClip clip, FrameStack video, FrameStack? groundTruthRender = null)
    {
        if (_results.Any(r => r.ClipId == clipId)) throw new ArgumentException($"clip '{clipId}' was already evaluated for {Method}", nameof(clipId));
        var r = ClipEvaluator.Evaluate(clipId, clip, video, Options, groundTruthRender);
        _results.Add(r);
        return r;
    }

    /// <summary>Keeps a result computed elsewhere (e.g. by another part of a sharded evaluation).</summary>
    /// <exception cref="ArgumentException">Its clip was already evaluated.</exception>
    public void Add(ClipPhysicsResult result)
    {
        if (_results.Any(r => r.ClipId == result.ClipId)) throw new ArgumentException($"clip '{result.ClipId}' was already evaluated for {Method}", nameof(result));
        _results.Add(result);
    }

    /// <summary>Summaries of everything seen so far.</summary>
    public PhysicsReport Compute()
    {
        var groups = new List<GroupSummary> { GroupSummary.Of("all", "all", _results) };
        foreach (var s in _results.GroupBy(r => r.Scenario).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            groups.Add(GroupSummary.Of(s.Key, "all", s.ToArray()));
            foreach (var sp in s.GroupBy(r => r.Split).OrderBy(g => g.Key, StringComparer.Ordinal))
                groups.Add(GroupSummary.Of(s.Key, sp.Key, sp.ToArray()));
        }
        return new PhysicsReport(Method, Options, _results.ToArray(), groups);
    }

    /// <summary>Forgets all results.</summary>
    public void Reset() => _results.Clear();
}
