using LaMo.World;

namespace LaMo.Experiment;

/// <summary>One ground-truth clip of a study.</summary>
/// <param name="Id">Clip id (<c>{split}_{condition}_{scenario}_{index}</c>, prefixed <c>t2v_</c> in text-to-video mode).</param>
/// <param name="Index">Position of the clip in its mode's list, the same under every condition (part of the noise seed,
/// so a clip and its condition twins get the same noise).</param>
/// <param name="World">Ground truth.</param>
/// <param name="Condition">Condition id.</param>
/// <param name="Mode">Sampling mode (<see cref="StudyModes"/>).</param>
public sealed record StudyClip(string Id, int Index, WorldClip World, string Condition = "C0", string Mode = StudyModes.Continuation)
{
    /// <summary>Lossless GT render as evaluation frames.</summary>
    public Evaluation.FrameStack Render() => new(Renderer.Render(World), World.Render.Frames, World.Render.Height, World.Render.Width);

    /// <summary>The group its results are sharded and tabulated by.</summary>
    public StudyCell Cell => new(Mode, Condition, World.Split);
}

/// <summary>A (mode, condition, split) cell of a study: the unit of sharding and of the per-condition tables.</summary>
/// <param name="Mode">Sampling mode.</param>
/// <param name="Condition">Condition id.</param>
/// <param name="Split">Split name.</param>
public readonly record struct StudyCell(string Mode, string Condition, string Split);

/// <summary>The fixed clips of a study: per mode, split and condition, <see cref="StudyOptions.ClipsPerCoreScenario"/> per
/// core scenario and <see cref="StudyOptions.ClipsPerExtendedScenario"/> per extended family (continuation) or
/// <see cref="StudyOptions.TextToVideoClips"/> per text-to-video scenario, seeded by <see cref="WorldGenerator.ClipSeed"/>:
/// the same clips as <c>lamo world generate --preset v1 --background B --camera C --lighting L --split S</c> with that seed.
/// The seed does not depend on the condition, so each condition shows the same physics.</summary>
public static class StudyWorld
{
    /// <summary>Generates the clips of <see cref="StudyOptions.Splits"/> in memory (deterministic in the options).</summary>
    public static IReadOnlyList<StudyClip> Generate(StudyOptions o) => Generate(o, o.Splits);

    /// <summary>Generates the clips of <paramref name="splits"/> (e.g. the gate split alone).</summary>
    public static IReadOnlyList<StudyClip> Generate(StudyOptions o, IReadOnlyList<string> splits, IReadOnlyList<string>? modes = null)
    {
        var clips = new List<StudyClip>();
        var extended = ScenarioNames.All.Where(s => !ScenarioNames.IsCore(s)).ToArray();
        foreach (var mode in modes ?? o.Modes)
        {
            int index = 0;
            var plan = mode == StudyModes.TextToVideo
                ? o.TextToVideoScenarios.Select(s => (s, o.TextToVideoClips)).ToArray()
                : o.CoreScenarios.Select(s => (s, o.ClipsPerCoreScenario)).Concat(extended.Select(s => (s, o.ClipsPerExtendedScenario))).ToArray();
            string prefix = mode == StudyModes.TextToVideo ? "t2v_" : "";
            foreach (var split in splits)
            {
                var ranges = o.Ranges(split);
                foreach (var (scenario, count) in plan)
                    for (int i = 0; i < count; i++, index++)
                    {
                        ulong seed = WorldGenerator.ClipSeed(o.WorldSeed, split, scenario, i);
                        foreach (var c in o.Conditions)
                        {
                            var spec = new ClipSpec(scenario, ranges, seed, o.Size, o.Size, o.Frames, c.ToWorld());
                            clips.Add(new StudyClip($"{prefix}{split}_{c.Id}_{ScenarioNames.Name(scenario)}_{i:D2}", index, WorldGenerator.Generate(spec), c.Id, mode));
                        }
                    }
            }
        }
        // Grouped by cell (mode, condition, split), clip order within: a cell's clips are sampled together.
        return clips.OrderBy(c => o.Modes.ToList().IndexOf(c.Mode)).ThenBy(c => Position(o, c.Condition)).ThenBy(c => splits.ToList().IndexOf(c.World.Split))
            .ThenBy(c => c.Index).ToArray();
    }

    private static int Position(StudyOptions o, string condition) => o.Conditions.Select(c => c.Id).ToList().IndexOf(condition);
}
