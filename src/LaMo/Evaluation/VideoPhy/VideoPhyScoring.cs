namespace LaMo.Evaluation.VideoPhy;

/// <summary>Joins judge scores to prompts and computes the SA / PC / joint pass rates LaMo reports.</summary>
/// <remarks>VideoPhy: a video passes SA (PC) when VideoCon-Physics scores it ≥ 0.5 (the paper's "% of videos scored
/// ≥ 0.5"); VideoPhy-2: when the AutoEval rating is ≥ 4 (its README: joint = SA ≥ 4 and PC ≥ 4). Rates are over videos
/// that have both scores. A score row is joined to its prompt by the index in the video's file name
/// (<see cref="VideoPhyLayout.VideoFileName"/>), else by an exact caption match.</remarks>
public static class VideoPhyScoring
{
    /// <summary>VideoPhy's canonical category order (the <c>states_of_matter</c> values).</summary>
    public static IReadOnlyList<string> VideoPhyCategories { get; } = ["solid_solid", "solid_fluid", "fluid_fluid"];

    /// <summary>The pass threshold on the benchmark judge's scale.</summary>
    public static double Threshold(VideoPhyBenchmark benchmark) => benchmark == VideoPhyBenchmark.VideoPhy ? 0.5 : 4.0;

    /// <summary>Joins SA and PC judge outputs to the prompt set and scores them.</summary>
    /// <exception cref="InvalidDataException">A score row matches no prompt, a prompt is scored twice in one file, or no
    /// video has both scores.</exception>
    public static VideoPhyReport Score(VideoPhyPromptSet prompts, IReadOnlyList<JudgeScore> sa, IReadOnlyList<JudgeScore> pc)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var saByIndex = Join(prompts, sa, "SA");
        var pcByIndex = Join(prompts, pc, "PC");
        var paired = saByIndex.Keys.Intersect(pcByIndex.Keys).Order()
            .Select(i => new VideoPhyScoredVideo(prompts.Prompts[i], saByIndex[i], pcByIndex[i])).ToArray();
        int unpaired = saByIndex.Keys.Union(pcByIndex.Keys).Count() - paired.Length;
        return Score(prompts.Benchmark, paired, unpaired);
    }

    /// <summary>Pass rates of already-joined videos.</summary>
    /// <exception cref="InvalidDataException">No videos.</exception>
    public static VideoPhyReport Score(VideoPhyBenchmark benchmark, IReadOnlyList<VideoPhyScoredVideo> videos, int unpaired = 0)
    {
        ArgumentNullException.ThrowIfNull(videos);
        if (videos.Count == 0) throw new InvalidDataException("no video has both an SA and a PC score");
        double t = Threshold(benchmark);
        var overall = Rates("all", videos, t);
        var present = videos.Select(v => v.Prompt.Category).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var order = (benchmark == VideoPhyBenchmark.VideoPhy ? VideoPhyCategories.Where(present.Contains) : [])
            .Concat(present.Except(VideoPhyCategories, StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var categories = order.Select(c => Rates(c.Replace('_', '-'), videos.Where(v => v.Prompt.Category == c).ToArray(), t)).ToArray();
        return new VideoPhyReport(benchmark, t, overall, categories, unpaired);
    }

    private static VideoPhyGroupResult Rates(string group, IReadOnlyList<VideoPhyScoredVideo> videos, double t)
    {
        int n = videos.Count;
        int sa = videos.Count(v => v.SemanticAdherence >= t), pc = videos.Count(v => v.PhysicalCommonsense >= t);
        int joint = videos.Count(v => v.SemanticAdherence >= t && v.PhysicalCommonsense >= t);
        return new VideoPhyGroupResult(group, n, 100.0 * sa / n, 100.0 * pc / n, 100.0 * joint / n);
    }

    private static Dictionary<int, double> Join(VideoPhyPromptSet prompts, IReadOnlyList<JudgeScore> scores, string what)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var byCaption = prompts.Prompts.GroupBy(p => p.Caption, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var result = new Dictionary<int, double>();
        foreach (var s in scores)
        {
            int index;
            if (VideoPhyLayout.TryParseIndex(s.VideoPath) is { } i)
            {
                if (i >= prompts.Prompts.Count)
                    throw new InvalidDataException($"{what} score for '{s.VideoPath}': prompt index {i} is beyond {prompts.Source} ({prompts.Prompts.Count} prompts) — wrong prompt file?");
                index = i;
            }
            else if (s.Caption is { } c && byCaption.TryGetValue(c, out var matches) && matches.Length == 1) index = matches[0].Index;
            else
                throw new InvalidDataException($"{what} score for '{s.VideoPath}' matches no prompt in {prompts.Source} " +
                    "(video names should start with the prompt index, as VideoPhyLayout writes them)");
            if (!result.TryAdd(index, s.Score))
                throw new InvalidDataException($"{what} scores list prompt {index} twice ('{s.VideoPath}'); entailment_inference.py " +
                    "appends to its output, so delete old outputs before rerunning the judge");
        }
        return result;
    }
}
