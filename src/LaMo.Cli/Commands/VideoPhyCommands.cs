using System.CommandLine;
using LaMo.Evaluation.VideoPhy;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo videophy prepare|score</c>: judge inputs for VideoPhy / VideoPhy-2 runs, and their SA/PC/joint tables.</summary>
public static class VideoPhyCommands
{
    /// <summary>Creates the <c>videophy</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var videophy = new Command("videophy", "VideoPhy / VideoPhy-2 evaluation: judge input files and score tables");
        videophy.Subcommands.Add(Prepare());
        videophy.Subcommands.Add(Score());
        return videophy;
    }

    private static Command Prepare()
    {
        var prompts = new Option<string>("--prompts") { Description = "Prompt CSV (videophy_expanded_updated.csv or videophy2.csv)", Required = true };
        var outDir = new Option<string>("--out") { Description = "Run folder; videos are looked up in OUT/videos/", Required = true };
        var limit = new Option<int?>("--limit") { Description = "At most this many prompts (after --offset)" };
        var offset = new Option<int>("--offset") { Description = "Skip this many selected prompts", DefaultValueFactory = _ => 0 };
        var categories = new Option<string?>("--categories") { Description = "Comma list of categories (VideoPhy: solid_solid, solid_fluid, fluid_fluid)" };
        var seed = new Option<int>("--seed") { Description = "Base seed; prompt k uses seed + k", DefaultValueFactory = _ => 0 };
        var root = new Option<string?>("--judge-video-root") { Description = "Name videos as ROOT/<file> in the judge CSV (judge on another machine)" };
        var cmd = new Command("prepare", "Write the judge input CSV for the videos already in OUT/videos and list the prompts still to generate")
            { prompts, outDir, limit, offset, categories, seed, root };
        cmd.SetAction(parse =>
        {
            var set = VideoPhyPromptSet.Load(parse.GetValue(prompts)!);
            var cats = parse.GetValue(categories)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var selected = set.Select(parse.GetValue(offset), parse.GetValue(limit), cats);
            var options = new VideoPhyRunOptions(parse.GetValue(outDir)!, parse.GetValue(seed), parse.GetValue(root));
            var (present, missing) = VideoPhyRunner.Prepare(set.Benchmark, selected, options);
            var output = parse.InvocationConfiguration.Output;
            var dir = Path.GetFullPath(options.OutDir);
            output.WriteLine($"{set.Benchmark}: {selected.Count} prompts selected, {present.Count} videos found, {missing.Count} to generate");
            output.WriteLine($"judge input: {Path.Combine(dir, VideoPhyLayout.JudgeInputFile(set.Benchmark))} (commands: {Path.Combine(dir, VideoPhyLayout.CommandsFile)})");
            if (missing.Count > 0)
            {
                output.WriteLine($"to generate: {Path.Combine(dir, VideoPhyLayout.ToGenerateFile)}");
                foreach (var v in missing.Take(10)) output.WriteLine($"  {Path.GetFileName(v.Path)}  seed {v.Seed}");
                if (missing.Count > 10) output.WriteLine($"  … and {missing.Count - 10} more");
            }
            return 0;
        });
        return cmd;
    }

    private static Command Score()
    {
        var prompts = new Option<string>("--prompts") { Description = "The prompt CSV the videos were generated from", Required = true };
        var scores = new Option<string?>("--scores") { Description = "Merged score CSV with columns videopath, sa, pc" };
        var sa = new Option<string?>("--sa") { Description = "The judge's SA output (entailment_inference.py or VideoPhy-2 inference.py --task sa)" };
        var pc = new Option<string?>("--pc") { Description = "The judge's PC output (physics_testing scores, or inference.py --task pc)" };
        var cmd = new Command("score", "Print SA / PC / joint pass rates, overall and per category, from the judges' score files")
            { prompts, scores, sa, pc };
        cmd.SetAction(parse =>
        {
            string? merged = parse.GetValue(scores), saPath = parse.GetValue(sa), pcPath = parse.GetValue(pc);
            if ((merged is null) == (saPath is null && pcPath is null) || (merged is null && (saPath is null || pcPath is null)))
                throw new ArgumentException("give either --scores FILE (columns videopath, sa, pc) or both --sa FILE and --pc FILE");
            var set = VideoPhyPromptSet.Load(parse.GetValue(prompts)!);
            var (saScores, pcScores) = merged is not null
                ? JudgeScoreFile.ReadMerged(merged)
                : (JudgeScoreFile.Read(saPath!), JudgeScoreFile.Read(pcPath!));
            var report = VideoPhyScoring.Score(set, saScores, pcScores);
            parse.InvocationConfiguration.Output.Write(report.ToMarkdown());
            return 0;
        });
        return cmd;
    }
}
