using System.Globalization;
using LaMo.Experiment;
using LaMo.Reports;

namespace LaMo.Demo;

/// <summary><c>./lamo demo</c>: baseline vs LaMo in continuation mode on a small fixed test-id world, evaluated against
/// the simulator's ground truth, written as a run folder (side-by-side videos, eval.json, table.md, plots, a heatmap,
/// index.html, report.md). A two-variant, one-seed special case of the study (<see cref="StudyRunner"/>).</summary>
/// <remarks><c>baseline</c> = ft-baseline-s{seed} LoRA without guidance; <c>lamo</c> = ft-lamo-s{seed} LoRA with Motion
/// Prior Guidance by its jointly trained predictor; same prompts and noise seeds. One training seed cannot support a claim
/// (the report says so); <c>lamo experiment</c> is the study.</remarks>
public sealed record DemoShowcase
{
    /// <summary>Frame size; defaults to the recipe's.</summary>
    public int Size { get; init; } = new DemoRecipe().Size;

    /// <summary>Frames per clip; defaults to the recipe's.</summary>
    public int Frames { get; init; } = new DemoRecipe().Frames;

    /// <summary>Denoising steps (chosen so the demo stays under ~5 minutes on 2 cores at 64×64×17).</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Classifier-free guidance scale.</summary>
    public double Cfg { get; init; } = 6.0;

    /// <summary>Clips per core scenario S1–S5.</summary>
    public int ClipsPerCoreScenario { get; init; } = 2;

    /// <summary>Clips per extended family.</summary>
    public int ClipsPerExtendedScenario { get; init; } = 1;

    /// <summary>Fine-tune (training) seed whose ft-baseline/ft-lamo pair is shown.</summary>
    public int TrainSeed { get; init; }

    /// <summary>Sampling seed.</summary>
    public long SamplingSeed { get; init; }

    /// <summary>World seed of the test clips.</summary>
    public ulong WorldSeed { get; init; } = 4242;

    /// <summary>Miniature settings (the miniature recipe's 32×32×9, 2 steps, one clip per scenario) for tests.</summary>
    public static DemoShowcase Miniature { get; } = new()
    {
        Size = DemoRecipe.Miniature.Size, Frames = DemoRecipe.Miniature.Frames, Steps = 2, ClipsPerCoreScenario = 1, ClipsPerExtendedScenario = 1,
    };

    /// <summary>The study options this showcase runs.</summary>
    public StudyOptions StudyOptions() => new()
    {
        Variants = [StudyVariant.BaselineName, "lamo"], SamplingSeeds = [SamplingSeed], TrainSeeds = [TrainSeed], Splits = ["test-id"],
        ClipsPerCoreScenario = ClipsPerCoreScenario, ClipsPerExtendedScenario = ClipsPerExtendedScenario, WorldSeed = WorldSeed,
        Size = Size, Frames = Frames, Steps = Steps, Cfg = Cfg, WriteMp4 = true, GalleryClipsPerGroup = -1,
    };

    /// <summary>Runs the showcase and returns the headline table (Markdown: variant and reference rows; failure rate,
    /// M1c, M2, M3, M7, M9, smoothness).</summary>
    /// <exception cref="FileNotFoundException">The models folder lacks base/ or the ft-*-s{TrainSeed} pair.</exception>
    public string Run(string modelsFolder, string runFolder, TextWriter log)
    {
        var options = StudyOptions().Validate();
        var models = StudyModels.Discover(modelsFolder, [TrainSeed]);
        log.WriteLine($"demo: {modelsFolder} -> {runFolder} ({Size}x{Size}x{Frames}, {Steps} DDIM steps, CFG {Cfg.ToString(CultureInfo.InvariantCulture)})");
        var run = StudyRunner.Run(options, models, runFolder, log);
        var style = new ReportStyle("LaMo demo: baseline vs LaMo on the physics world",
        [
            $"Continuation mode: each ground-truth clip of the test-id world is encoded with the base VAE; the first {options.GivenFrames} RGB frames " +
            $"(the first latent frames) are given and each model generates the rest with {Steps} denoising steps, CFG {Cfg.ToString(CultureInfo.InvariantCulture)}, the same prompt and noise seed.",
            $"baseline = ft-baseline-s{TrainSeed} LoRA, no guidance. lamo = ft-lamo-s{TrainSeed} LoRA (Motion Drift Loss) + Motion Prior Guidance " +
            $"(lambda {options.Guidance.Lambda.ToString(CultureInfo.InvariantCulture)}, rho {options.Guidance.Rho.ToString(CultureInfo.InvariantCulture)}) with its jointly trained predictor. Both fine-tuned from one base for the same steps.",
            "Reference rows: gt_floor (parser on the lossless ground truth), vae_floor (ground truth through the base VAE), copy_last (last given frame held), const_velocity (extrapolated from the given frames).",
            "One training seed and one sampling seed: this shows what the models do; it cannot support a claim. Run `lamo experiment` for the study (3 training seeds, OOD splits, ablations, FlowMo).",
        ], ByScenarioOnly: true);
        string table = StudyReport.Write(run, runFolder, style);
        foreach (var s in run.Result.Stages) log.WriteLine($"demo: stage {s.Stage} {s.Seconds:F1} s");
        log.WriteLine($"demo: total {run.Result.Stages.Sum(s => s.Seconds):F1} s (+ report)");
        return table;
    }
}
