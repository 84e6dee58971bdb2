namespace LaMo.World;

/// <summary>Turns a simulated v1 clip into a world v2 clip: samples the condition, then adds each frame's camera pose
/// and light, and re-judges visibility against the view. Physics (world coordinates) is untouched.</summary>
internal static class ConditionApplier
{
    /// <summary>The clip under its drawn condition, or the clip unchanged when the draw is all-v1.</summary>
    public static WorldClip Apply(WorldClip clip, WorldConditionOptions options, SplitRanges ranges, ulong seed)
    {
        var rng = new WorldRng(WorldRng.Derive(seed, WorldRng.Hash("condition")));
        var (bg, cam, light, enter) = ConditionSampler.Kinds(options, ranges, rng);
        if (bg == "uniform" && cam == "static" && light == "constant" && enter == "none") return clip;
        var cond = ConditionSampler.Sample(bg, cam, light, enter, options, SeparablePalette.BallChannels(clip.Objects),
            clip.Frames[^1].Time, rng);
        var (poses, entering, crossing) = EdgeCrossing.Apply(enter, CameraPath.Poses(cam, cond.Parameters, clip.Frames),
            clip.Frames, clip.Objects[0].Radius);
        var p = new SortedDictionary<string, double>((IDictionary<string, double>)cond.Parameters);
        foreach (var (k, v) in crossing) p[k] = v;
        cond = cond with { Entering = entering, Parameters = p };
        var gains = LightPath.Gains(light, p, clip.Frames);
        var frames = clip.Frames.Select((f, k) => f with
        {
            Camera = poses[k],
            Light = gains[k],
            Objects = f.Objects.Select(o => o with
            {
                Visible = poses[k].Contains(o.X, o.Y, o.Radius),
                VisibleFraction = poses[k].VisibleFraction(o.X, o.Y, o.Radius),
            }).ToArray(),
        }).ToArray();
        return clip with { Frames = frames, Condition = cond };
    }
}
