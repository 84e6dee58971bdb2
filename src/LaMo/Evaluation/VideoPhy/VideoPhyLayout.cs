using System.Globalization;
using System.Text;
using LaMo.Data;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>The on-disk layout of a VideoPhy run and the judges' input files.</summary>
/// <remarks>
/// <code>
/// OUT/videos/0007_Honey_diffusing_into_warm_milk.mp4   ← {prompt index:D4}_{slug of the scored caption}.mp4
/// OUT/manifest.csv                                      ← index,seed,videopath,caption,category,generation_prompt
/// OUT/videophy_judge_input.csv    (VideoPhy)            ← header "videopath,caption"
/// OUT/videophy2_judge_input.csv   (VideoPhy-2)          ← header "caption,videopath"
/// OUT/judge_commands.txt                                ← the official judge commands for these files
/// </code>
/// VideoPhy's judge (Hritikbansal/videophy, VideoCon-Physics) takes a CSV with columns <c>videopath</c> and
/// <c>caption</c>; its <c>utils/prepare_data.py</c> turns that into <c>sa_testing.csv</c> (caption wrapped in the
/// semantic-adherence template) and <c>physics_testing.csv</c> (the physics template), each scored by
/// <c>videocon/training/pipeline_video/entailment_inference.py</c>, which appends header-less rows
/// <c>videopath,caption,score</c> (P(Yes)/(P(Yes)+P(No)) in [0, 1]) to its output CSV.
/// VideoPhy-2's AutoEval (<c>VIDEOPHY2/inference.py</c>) takes <c>caption,videopath</c> (as its <c>examples/sa_pc.csv</c>)
/// for both <c>--task sa</c> and <c>--task pc</c> and writes a pandas CSV <c>,caption,videopath,score</c> with ratings 1–5.
/// The caption given to both judges is the short caption (<see cref="VideoPhyPrompt.Caption"/>), never the long
/// generation prompt. The leading index in each file name joins scores back to prompts.
/// </remarks>
public static class VideoPhyLayout
{
    /// <summary>Sub-folder holding the mp4 files.</summary>
    public const string VideosFolder = "videos";

    /// <summary>Run manifest (one row per video).</summary>
    public const string ManifestFile = "manifest.csv";

    /// <summary>Prompts still to generate, written by <see cref="VideoPhyRunner.Prepare"/>.</summary>
    public const string ToGenerateFile = "to_generate.csv";

    /// <summary>The judge commands for this run.</summary>
    public const string CommandsFile = "judge_commands.txt";

    /// <summary>The judge input CSV's file name for a benchmark.</summary>
    public static string JudgeInputFile(VideoPhyBenchmark benchmark) =>
        benchmark == VideoPhyBenchmark.VideoPhy ? "videophy_judge_input.csv" : "videophy2_judge_input.csv";

    /// <summary>Stable file name: <c>{Index:D4}_{slug}.mp4</c>, the slug being the scored caption with every run of
    /// characters other than ASCII letters and digits replaced by one '_', at most 60 characters.</summary>
    public static string VideoFileName(VideoPhyPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var sb = new StringBuilder();
        foreach (var ch in prompt.Caption)
        {
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(ch);
            else if (sb.Length > 0 && sb[^1] != '_') sb.Append('_');
            if (sb.Length >= 60) break;
        }
        var slug = sb.ToString().Trim('_');
        return $"{prompt.Index.ToString("D4", CultureInfo.InvariantCulture)}_{(slug.Length == 0 ? "video" : slug)}.mp4";
    }

    /// <summary>The prompt index encoded in a video path's file name (<c>…/0007_x.mp4</c> → 7), or null.</summary>
    public static int? TryParseIndex(string videoPath)
    {
        var name = Path.GetFileName(videoPath.Replace('\\', '/').TrimEnd('/'));
        int us = name.IndexOf('_');
        var digits = us < 0 ? Path.GetFileNameWithoutExtension(name) : name[..us];
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) &&
               int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
    }

    /// <summary>Where prompt <paramref name="prompt"/>'s video lives under <paramref name="options"/>.</summary>
    public static VideoPhyVideo Locate(VideoPhyPrompt prompt, VideoPhyRunOptions options)
    {
        var name = VideoFileName(prompt);
        var path = Path.GetFullPath(Path.Combine(options.OutDir, VideosFolder, name));
        var judgePath = options.JudgeVideoRoot is { } root ? root.TrimEnd('/') + "/" + name : path;
        return new VideoPhyVideo(prompt, path, judgePath, options.BaseSeed + prompt.Index);
    }

    /// <summary>Writes the judge input CSV, the manifest and the judge commands for <paramref name="videos"/>.</summary>
    /// <returns>The judge input file's full path.</returns>
    public static string WriteJudgeInputs(VideoPhyBenchmark benchmark, IReadOnlyList<VideoPhyVideo> videos, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var input = Path.GetFullPath(Path.Combine(outDir, JudgeInputFile(benchmark)));
        var sb = new StringBuilder();
        sb.Append(benchmark == VideoPhyBenchmark.VideoPhy ? "videopath,caption\n" : "caption,videopath\n");
        foreach (var v in videos)
            sb.Append(CsvTable.Line(benchmark == VideoPhyBenchmark.VideoPhy ? [v.JudgePath, v.Prompt.Caption] : [v.Prompt.Caption, v.JudgePath])).Append('\n');
        File.WriteAllText(input, sb.ToString());
        WriteVideoList(Path.Combine(outDir, ManifestFile), videos);
        File.WriteAllText(Path.Combine(outDir, CommandsFile), JudgeCommands(benchmark, input));
        return input;
    }

    /// <summary>Writes <c>index,seed,videopath,caption,category,generation_prompt</c> rows.</summary>
    public static void WriteVideoList(string path, IReadOnlyList<VideoPhyVideo> videos)
    {
        var sb = new StringBuilder("index,seed,videopath,caption,category,generation_prompt\n");
        foreach (var v in videos)
            sb.Append(CsvTable.Line([v.Prompt.Index.ToString(CultureInfo.InvariantCulture), v.Seed.ToString(CultureInfo.InvariantCulture),
                v.Path, v.Prompt.Caption, v.Prompt.Category ?? "", v.Prompt.GenerationPrompt])).Append('\n');
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>The official judge commands for an input file (checkpoint paths left as placeholders).</summary>
    public static string JudgeCommands(VideoPhyBenchmark benchmark, string inputCsv)
    {
        var dir = Path.GetDirectoryName(inputCsv)!;
        string J(string f) => Path.Combine(dir, "judge", f);
        return benchmark == VideoPhyBenchmark.VideoPhy
            ? $"""
               # VideoPhy: VideoCon-Physics (github.com/Hritikbansal/videophy), run from the repository root
               mkdir -p {Path.Combine(dir, "judge")}
               python utils/prepare_data.py --input_csv {inputCsv} --output_folder {Path.Combine(dir, "judge")}/
               python videocon/training/pipeline_video/entailment_inference.py --input_csv {J("sa_testing.csv")} --output_csv {J("videocon_physics_sa.csv")} --checkpoint <videocon_physics>
               python videocon/training/pipeline_video/entailment_inference.py --input_csv {J("physics_testing.csv")} --output_csv {J("videocon_physics_pc.csv")} --checkpoint <videocon_physics>
               # entailment_inference.py appends: delete old output CSVs before a rerun
               lamo videophy score --prompts <prompts.csv> --sa {J("videocon_physics_sa.csv")} --pc {J("videocon_physics_pc.csv")}

               """
            : $"""
               # VideoPhy-2: VideoPhy-2-AutoEval (github.com/Hritikbansal/videophy, VIDEOPHY2/), run from VIDEOPHY2/
               python inference.py --input_csv {inputCsv} --checkpoint <videophy_2_auto> --output_csv {J("output_sa.csv")} --task sa
               python inference.py --input_csv {inputCsv} --checkpoint <videophy_2_auto> --output_csv {J("output_pc.csv")} --task pc
               lamo videophy score --prompts <prompts.csv> --sa {J("output_sa.csv")} --pc {J("output_pc.csv")}

               """;
    }
}
