using LaMo.Distributed;

namespace LaMo.Workflows;

/// <summary>What a merge did.</summary>
/// <param name="Kind">Part kind (<c>encode</c>, <c>sample</c>, <c>eval-physics</c>, <c>eval-motion</c>).</param>
/// <param name="Parts">Parts merged.</param>
/// <param name="Items">Clips, videos or evaluated clips in the result.</param>
/// <param name="Result">The summary, for evaluations (<see cref="Evaluation.Physics.PhysicsBenchmarkResult"/> or
/// <see cref="Evaluation.Motion.MotionReport"/>); null otherwise.</param>
public sealed record MergeOutcome(string Kind, int Parts, int Items, object? Result);

/// <summary><c>lamo merge OUT</c>: combines the complete parts in <c>OUT.parts/</c> of any sharded job into <c>OUT</c>.</summary>
public static class MergeWorkflow
{
    /// <summary>Merges the parts of <paramref name="output"/>, whatever job made them.</summary>
    /// <exception cref="InvalidDataException">Missing, incomplete or mismatched parts (named), or an unknown kind.</exception>
    /// <exception cref="LaMo.Core.OutputExistsException">The output exists and was not written by an earlier merge.</exception>
    public static MergeOutcome Run(string output)
    {
        var parts = ShardParts.Collect(output);
        string kind = parts[0].Marker.Kind;
        return kind switch
        {
            EncodeParts.Kind => new(kind, parts.Count, EncodeParts.Merge(output, parts), null),
            SampleParts.Kind => new(kind, parts.Count, SampleParts.Merge(output, parts), null),
            EvalWorkflow.PhysicsKind => EvalWorkflow.MergePhysics(output, parts) is var r ? new(kind, parts.Count, r.Rows[0].Clips.Count, r) : null!,
            EvalWorkflow.MotionKind => EvalWorkflow.MergeMotion(output, parts) is var m ? new(kind, parts.Count, m.Videos.Count, m) : null!,
            _ => throw new InvalidDataException($"{parts[0].Folder}: unknown part kind '{kind}'"),
        };
    }
}
