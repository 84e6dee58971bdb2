using LaMo.Evaluation;
using LaMo.World;

namespace LaMo.Tests.Evaluation.Physics;

internal static class PhysicsTestClips
{
    public static WorldClip Make(Scenario s, ulong seed, int size = 64, int frames = 17) =>
        WorldGenerator.Generate(new ClipSpec(s, SplitRanges.Standard("test-id"), WorldGenerator.ClipSeed(7, "test-id", s, (int)seed), size, size, frames));

    public static FrameStack Render(WorldClip clip) =>
        new(Renderer.Render(clip), clip.Frames.Count, clip.Render.Height, clip.Render.Width);

    /// <summary>Re-renders the clip after changing object states (the GT clip itself stays the reference).</summary>
    public static FrameStack RenderModified(WorldClip clip, Func<FrameState, ObjectState, ObjectState> change) =>
        Render(clip with
        {
            Frames = clip.Frames.Select(f => f with { Objects = f.Objects.Select(o => change(f, o)).ToArray() }).ToArray(),
        });
}
