using System.CommandLine;
using System.Globalization;
using LaMo.Experiment;
using LaMo.Motion;
using LaMo.Reports;
using LaMo.World;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo experiment</c>: the paper's protocol on the physics world. One base, fine-tuned for the same steps with
/// and without LaMo (the ft-* seeds of a models folder, or fresh fine-tunes with <c>--train-seeds</c>), sampled in
/// continuation mode as baseline, +drift, +guidance, lamo and flowmo over training × sampling seeds, per scenario and
/// split; paired bootstraps against the baseline; motion metrics; timings. Writes report.md, index.html, results.json.</summary>
public static class ExperimentCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var d = new StudyOptions();
        var models = new Option<string>("--models") { Description = "Models folder (base/, ft-baseline-s*/, ft-lamo-s*/)", DefaultValueFactory = _ => "models/demo" };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/experiment-<time>); a non-empty folder is refused without --overwrite" };
        var overwrite = WorkflowCommands.Overwrite("experiment run");
        var variants = new Option<string>("--variants") { Description = "Comma list; first must be baseline", DefaultValueFactory = _ => string.Join(',', d.Variants) };
        var trainSeeds = new Option<string?>("--train-seeds") { Description = "Training seeds, e.g. 0,1,2. With --steps: train fresh fine-tunes; without: pick these ft-* seeds from --models (default: all found)" };
        var steps = new Option<int?>("--steps") { Description = "Fine-tune steps of fresh fine-tunes (needs --train-seeds; equal for baseline and LaMo)" };
        var cache = new Option<string?>("--cache") { Description = "Latent cache for fresh fine-tunes (default: generate a train world and encode it with base/)" };
        var trainClips = new Option<int>("--train-clips") { Description = "Train-world clips per scenario when no --cache is given", DefaultValueFactory = _ => new FineTuneSettings().TrainClipsPerScenario };
        var driftLambda = new Option<double?>("--drift-lambda") { Description = "Drift-loss weight of fresh LaMo fine-tunes (default: the published 0.4)" };
        var samplingSeeds = new Option<string>("--sampling-seeds") { Description = "Sampling seeds", DefaultValueFactory = _ => string.Join(',', d.SamplingSeeds) };
        var splits = new Option<string>("--splits") { Description = "Test splits (test-id, test-ood-v, test-ood-r, test-ood-rv)", DefaultValueFactory = _ => string.Join(',', d.Splits) };
        var scenarios = new Option<string>("--scenarios") { Description = "Core scenarios (s1..s5 or names)", DefaultValueFactory = _ => "s1,s2,s3,s4,s5" };
        var clips = new Option<int>("--clips") { Description = "Clips per core scenario and split", DefaultValueFactory = _ => d.ClipsPerCoreScenario };
        var extended = new Option<int>("--extended-clips") { Description = "Clips per extended family and split (0: none)", DefaultValueFactory = _ => d.ClipsPerExtendedScenario };
        var size = new Option<int>("--size") { Description = "Frame size (must match the models)", DefaultValueFactory = _ => d.Size };
        var frames = new Option<int>("--frames") { Description = "Frames per clip", DefaultValueFactory = _ => d.Frames };
        var sampleSteps = new Option<int>("--sample-steps") { Description = "Denoising steps", DefaultValueFactory = _ => d.Steps };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale", DefaultValueFactory = _ => d.Cfg };
        var lambda = new Option<double>("--lambda") { Description = "Motion Prior Guidance lambda", DefaultValueFactory = _ => d.Guidance.Lambda };
        var rho = new Option<double>("--rho") { Description = "Motion Prior Guidance rho", DefaultValueFactory = _ => d.Guidance.Rho };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Paired bootstrap resamples", DefaultValueFactory = _ => d.BootstrapResamples };
        var worldSeed = new Option<ulong>("--world-seed") { Description = "Seed of the test clips", DefaultValueFactory = _ => d.WorldSeed };
        var device = DeviceOption.Create();
        var cmd = new Command("experiment", "The study: baseline / +drift / +guidance / lamo / flowmo over training and sampling seeds, per scenario and split, with paired bootstrap CIs")
            { models, output, variants, trainSeeds, steps, cache, trainClips, driftLambda, samplingSeeds, splits, scenarios, clips, extended, size, frames, sampleSteps, cfg, lambda, rho, bootstrap, worldSeed, overwrite, device };
        cmd.SetAction(p =>
        {
            DeviceOption.RequireCpu(p, device, "lamo experiment");
            var o = p.InvocationConfiguration.Output;
            string modelsDir = RepoPaths.Resolve(p.GetValue(models)!);
            string run = p.GetValue(output) ?? Path.Combine(RepoPaths.Root, "runs", $"experiment-{DateTime.Now:yyyyMMdd-HHmmss}");
            var seeds = p.GetValue(trainSeeds) is { } ts ? Ints(ts, "--train-seeds") : null;
            var options = new StudyOptions
            {
                Variants = List(p.GetValue(variants)!), TrainSeeds = seeds, SamplingSeeds = Ints(p.GetValue(samplingSeeds)!, "--sampling-seeds").Select(i => (long)i).ToArray(),
                Splits = List(p.GetValue(splits)!), CoreScenarios = ScenarioNames.ParseList(p.GetValue(scenarios)!).Where(ScenarioNames.IsCore).ToArray(),
                ClipsPerCoreScenario = p.GetValue(clips), ClipsPerExtendedScenario = p.GetValue(extended), WorldSeed = p.GetValue(worldSeed),
                Size = p.GetValue(size), Frames = p.GetValue(frames), Steps = p.GetValue(sampleSteps), Cfg = p.GetValue(cfg),
                Guidance = new MotionPriorGuidanceOptions(p.GetValue(lambda), p.GetValue(rho)), BootstrapResamples = p.GetValue(bootstrap),
            }.Validate();
            StudyRunFolder.Claim(run, "experiment", p.GetValue(overwrite));   // after the options are checked, before any work
            using var cts = new LaMo.Reliability.SignalStop(p.InvocationConfiguration.Error);
            StudyModels set;
            if (p.GetValue(steps) is { } n)
            {
                if (seeds is null) throw new ArgumentException("--steps trains fresh fine-tunes and needs --train-seeds (e.g. 0,1,2)");
                var discovered = Path.Combine(modelsDir, "base");
                set = StudyModels.Train(discovered, Path.Combine(run, "finetunes"), seeds, n, p.GetValue(cache) is { } c ? RepoPaths.Resolve(c) : null,
                    new FineTuneSettings(options.Size, options.Frames, p.GetValue(trainClips), DriftLambda: p.GetValue(driftLambda)), o, cts.Token);
            }
            else set = StudyModels.Discover(modelsDir, seeds);
            var result = StudyRunner.Run(options, set, run, o, cts.Token);
            string table = StudyReport.Write(result, run, new ReportStyle("LaMo study: ablation and FlowMo on the physics world",
            [
                $"Protocol: one base ({set.Base}) fine-tuned for the same steps with and without LaMo, training seeds {string.Join(", ", set.Pairs.Select(x => x.Seed))}" +
                $"{(set.Trained ? " (fresh fine-tunes of this run)" : "")}{(p.GetValue(driftLambda) is { } dl ? $", drift-loss weight λ = {dl}" : "")}; sampling seeds {string.Join(", ", options.SamplingSeeds)}; continuation mode with the first {options.GivenFrames} frames given; " +
                $"{options.Steps} denoising steps, CFG {options.Cfg.ToString(CultureInfo.InvariantCulture)}; splits {string.Join(", ", options.Splits)}.",
                .. options.VariantList().Select(v => $"{v.Name}: {v.Description}."),
            ]));
            o.WriteLine(table);
            foreach (var line in ReportTables.Findings(result.Result)) o.WriteLine(line);
            o.WriteLine($"experiment: run folder {run}");
            return 0;
        });
        return cmd;
    }

    private static string[] List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Ints(string text, string option) => List(text).Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
        ? v : throw new ArgumentException($"{option}: '{s}' is not an integer")).ToArray();
}
