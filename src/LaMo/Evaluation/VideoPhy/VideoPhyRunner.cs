using LaMo.Video;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>Generates one video per benchmark prompt and writes the judges' input files (layout: <see cref="VideoPhyLayout"/>).</summary>
public static class VideoPhyRunner
{
    /// <summary>Generates (or, with <see cref="VideoPhyRunOptions.SkipExisting"/>, reuses) a video for each prompt,
    /// then writes the judge input CSV, manifest and judge commands.</summary>
    /// <param name="benchmark">Decides the judge input layout.</param>
    /// <param name="prompts">The rows to run (see <see cref="VideoPhyPromptSet.Select"/>).</param>
    /// <param name="generator">(generation prompt, seed) → video; the seed is BaseSeed + prompt index.</param>
    /// <param name="options">Output folder, seeds, codec.</param>
    /// <param name="progress">Reports each finished video.</param>
    /// <param name="ct">Checked between videos; files written so far stay valid for a resumed run.</param>
    /// <returns>The videos, in prompt order.</returns>
    /// <exception cref="ArgumentException">Invalid options or duplicate prompt indices.</exception>
    /// <exception cref="InvalidOperationException">The generator returned null.</exception>
    public static IReadOnlyList<VideoPhyVideo> Generate(VideoPhyBenchmark benchmark, IReadOnlyList<VideoPhyPrompt> prompts,
        Func<string, int, VideoResult> generator, VideoPhyRunOptions options, IProgress<VideoPhyVideo>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckUnique(prompts);
        var videos = new List<VideoPhyVideo>(prompts.Count);
        foreach (var prompt in prompts)
        {
            ct.ThrowIfCancellationRequested();
            var video = VideoPhyLayout.Locate(prompt, options);
            if (!(options.SkipExisting && File.Exists(video.Path)))
            {
                var result = generator(prompt.GenerationPrompt, video.Seed)
                             ?? throw new InvalidOperationException($"generator returned null for prompt {prompt.Index}");
                var tmp = video.Path + ".partial.mp4";                  // never leave a truncated mp4 under the final name
                VideoEncoder.WriteMp4(tmp, result.Video, options.Codec);
                File.Move(tmp, video.Path, overwrite: true);
            }
            videos.Add(video);
            progress?.Report(video);
        }
        VideoPhyLayout.WriteJudgeInputs(benchmark, videos, options.OutDir);
        return videos;
    }

    /// <summary>For already-generated videos: writes judge inputs for the prompts whose video exists and
    /// <see cref="VideoPhyLayout.ToGenerateFile"/> listing the others (same columns as the manifest).</summary>
    /// <returns>(videos found, videos missing).</returns>
    /// <exception cref="ArgumentException">Invalid options or duplicate prompt indices.</exception>
    public static (IReadOnlyList<VideoPhyVideo> Present, IReadOnlyList<VideoPhyVideo> Missing) Prepare(
        VideoPhyBenchmark benchmark, IReadOnlyList<VideoPhyPrompt> prompts, VideoPhyRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckUnique(prompts);
        var all = prompts.Select(p => VideoPhyLayout.Locate(p, options)).ToArray();
        var present = all.Where(v => File.Exists(v.Path)).ToArray();
        var missing = all.Where(v => !File.Exists(v.Path)).ToArray();
        VideoPhyLayout.WriteJudgeInputs(benchmark, present, options.OutDir);
        VideoPhyLayout.WriteVideoList(Path.Combine(options.OutDir, VideoPhyLayout.ToGenerateFile), missing);
        return (present, missing);
    }

    private static void CheckUnique(IReadOnlyList<VideoPhyPrompt> prompts)
    {
        var dup = prompts.GroupBy(p => p.Index).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"prompt index {dup.Key} appears {dup.Count()} times", nameof(prompts));
    }
}
