using LaMo.World;

namespace LaMo.Experiment;

/// <summary>One ground-truth test clip of a study.</summary>
/// <param name="Id">Clip id (<c>{split}_{scenario}_{index}</c>).</param>
/// <param name="Index">Position in the study's clip list (part of the noise seed).</param>
/// <param name="World">Ground truth.</param>
public sealed record StudyClip(string Id, int Index, WorldClip World)
{
    /// <summary>Lossless GT render as evaluation frames.</summary>
    public Evaluation.FrameStack Render() => new(Renderer.Render(World), World.Render.Frames, World.Render.Height, World.Render.Width);
}

/// <summary>The fixed test clips of a study: per split, <see cref="StudyOptions.ClipsPerCoreScenario"/> per core scenario
/// and <see cref="StudyOptions.ClipsPerExtendedScenario"/> per extended family, seeded by
/// <see cref="WorldGenerator.ClipSeed"/> (the same clips as <c>lamo world generate</c> with that seed and split).</summary>
public static class StudyWorld
{
    /// <summary>Generates the clips in memory (deterministic in the options).</summary>
    public static IReadOnlyList<StudyClip> Generate(StudyOptions o)
    {
        var clips = new List<StudyClip>();
        var extended = ScenarioNames.All.Where(s => !ScenarioNames.IsCore(s)).ToArray();
        foreach (var split in o.Splits)
        {
            var ranges = SplitRanges.Standard(split);
            var plan = o.CoreScenarios.Select(s => (s, o.ClipsPerCoreScenario)).Concat(extended.Select(s => (s, o.ClipsPerExtendedScenario)));
            foreach (var (scenario, count) in plan)
                for (int i = 0; i < count; i++)
                {
                    var spec = new ClipSpec(scenario, ranges, WorldGenerator.ClipSeed(o.WorldSeed, split, scenario, i), o.Size, o.Size, o.Frames);
                    clips.Add(new StudyClip($"{split}_{ScenarioNames.Name(scenario)}_{i:D2}", clips.Count, WorldGenerator.Generate(spec)));
                }
        }
        return clips;
    }
}
