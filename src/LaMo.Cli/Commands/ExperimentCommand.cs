using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Evaluation.Physics;
using LaMo.Experiment;
using LaMo.Motion;
using LaMo.Reports;
using LaMo.World;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo experiment</c>: the study of docs/results/study-v2.md on the physics world. One base, fine-tuned for the
/// same steps with and without LaMo (the ft-* seeds of a models folder, or fresh fine-tunes with <c>--train-seeds</c>),
/// sampled as baseline, +drift, +guidance, lamo, flowmo (and +drift-nf) over training × sampling seeds, world conditions,
/// splits (standard or ranges files) and modes; two-level paired bootstraps; motion metrics; timings; the base model's
/// quality gate and the sample-size rule when asked. Every stage is written to disk as it finishes: <c>--resume</c>
/// continues an interrupted run. Writes report.md, index.html, results.json.</summary>
public static class ExperimentCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var d = new StudyOptions();
        var f = new FineTuneSettings();
        var models = new Option<string>("--models") { Description = "Models folder (base/, ft-baseline-s*/, ft-lamo-s*/, ft-drift-nf-s*/ for +drift-nf)", DefaultValueFactory = _ => "models/demo" };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/experiment-<time>); a non-empty folder is refused without --resume or --overwrite" };
        var overwrite = WorkflowCommands.Overwrite("experiment run");
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out: finished fine-tunes, samples and evaluations are kept; the options must be the run's (a difference is named)" };
        var variants = new Option<string>("--variants") { Description = $"Comma list; first must be baseline ({string.Join(", ", StudyVariant.All.Select(v => v.Name))})", DefaultValueFactory = _ => string.Join(',', d.Variants) };
        var trainSeeds = new Option<string?>("--train-seeds") { Description = "Training seeds, e.g. 0,1,2. With --steps: train fresh fine-tunes; without: pick these ft-* seeds from --models (default: all found)" };
        var steps = new Option<int?>("--steps") { Description = "Fine-tune steps of fresh fine-tunes (needs --train-seeds; equal for every arm)" };
        var cache = new Option<string?>("--cache") { Description = "Latent cache for fresh fine-tunes (default: generate a train world and encode it with base/)" };
        var trainClips = new Option<int>("--train-clips") { Description = "Train-world clips per scenario when no --cache is given", DefaultValueFactory = _ => f.TrainClipsPerScenario };
        var learningRate = new Option<double>("--learning-rate") { Description = "LoRA learning rate of fresh fine-tunes", DefaultValueFactory = _ => f.LearningRate };
        var driftLambda = new Option<double?>("--drift-lambda") { Description = "Drift-loss weight of fresh ft-lamo fine-tunes (default: the published 0.4)" };
        var nfLambda = new Option<double?>("--drift-nf-lambda") { Description = "Drift-loss weight of fresh ft-drift-nf fine-tunes (default: --drift-lambda)" };
        var nfKappa = new Option<double?>("--drift-nf-kappa") { Description = "κ of the noise-floor denominator of ft-drift-nf (default: the loss's default)" };
        var samplingSeeds = new Option<string>("--sampling-seeds") { Description = "Sampling seeds", DefaultValueFactory = _ => string.Join(',', d.SamplingSeeds) };
        var splits = new Option<string>("--splits") { Description = "Splits: test-id, test-ood-v, test-ood-r, test-ood-rv, or a ranges JSON file (as world generate --split)", DefaultValueFactory = _ => string.Join(',', d.Splits) };
        var conditions = new Option<string>("--conditions") { Description = "World conditions: v1, study-v2 (C0-C5 of the protocol), or a comma list of [ID=]background/camera/lighting", DefaultValueFactory = _ => "v1" };
        var modes = new Option<string>("--modes") { Description = "continuation and/or text-to-video", DefaultValueFactory = _ => string.Join(',', d.Modes) };
        var scenarios = new Option<string>("--scenarios") { Description = "Core scenarios of continuation mode (s1..s5 or names)", DefaultValueFactory = _ => "s1,s2,s3,s4,s5" };
        var clips = new Option<int>("--clips") { Description = "Continuation clips per core scenario, split and condition", DefaultValueFactory = _ => d.ClipsPerCoreScenario };
        var extended = new Option<int>("--extended-clips") { Description = "Continuation clips per extended family, split and condition (0: none)", DefaultValueFactory = _ => d.ClipsPerExtendedScenario };
        var t2vClips = new Option<int>("--t2v-clips") { Description = "Text-to-video clips (S3, parabola) per split and condition", DefaultValueFactory = _ => d.TextToVideoClips };
        var size = new Option<int>("--size") { Description = "Frame size (must match the models)", DefaultValueFactory = _ => d.Size };
        var frames = new Option<int>("--frames") { Description = "Frames per clip", DefaultValueFactory = _ => d.Frames };
        var givenFrames = new Option<int>("--given-frames") { Description = "Frames given in continuation mode (1 + 4k)", DefaultValueFactory = _ => d.GivenFrames };
        var sampleSteps = new Option<int>("--sample-steps") { Description = "Denoising steps", DefaultValueFactory = _ => d.Steps };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale", DefaultValueFactory = _ => d.Cfg };
        var lambda = new Option<double>("--lambda") { Description = "Motion Prior Guidance lambda", DefaultValueFactory = _ => d.Guidance.Lambda };
        var rho = new Option<double>("--rho") { Description = "Motion Prior Guidance rho", DefaultValueFactory = _ => d.Guidance.Rho };
        var flowMoStep = new Option<double>("--flowmo-step-size") { Description = "FlowMo step size (the released code's Adam learning rate)", DefaultValueFactory = _ => d.FlowMoStepSize };
        var flowMoIterations = new Option<int>("--flowmo-iterations") { Description = "FlowMo iterations per guided step", DefaultValueFactory = _ => d.FlowMoIterations };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples (the protocol: 10000)", DefaultValueFactory = _ => d.BootstrapResamples };
        var level = new Option<double>("--level") { Description = "CI coverage of every comparison; the primary family uses 1 − (1 − level)/k over its k comparisons", DefaultValueFactory = _ => d.ConfidenceLevel };
        var primaryMetrics = new Option<string>("--primary-metrics") { Description = "Metrics of the primary family (m3 is read in text-to-video mode when the run has it)", DefaultValueFactory = _ => string.Join(',', d.PrimaryMetrics) };
        var primarySplit = new Option<string>("--primary-split") { Description = "Split of the primary family", DefaultValueFactory = _ => d.PrimarySplit };
        var primaryConditions = new Option<string?>("--primary-conditions") { Description = "Condition ids pooled in the primary family (default: all)" };
        var sampleSize = new Option<bool>("--sample-size") { Description = "Compute the clips each split, condition and primary metric needs from this run's differences (a validation run)" };
        var gate = new Option<string?>("--gate") { Description = "Quality-gate split (name or ranges file): the base model must meet the bar there before any test split is sampled" };
        var gateSeed = new Option<ulong?>("--gate-world-seed") { Description = "World seed of the gate's clips (default: --world-seed; the protocol: 5151)" };
        var gateClips = new Option<int?>("--gate-clips") { Description = "Gate clips per core scenario and condition (default: --clips; the protocol: 7)" };
        var ignoreGate = new Option<bool>("--ignore-gate") { Description = "Sample the test splits even when the gate is not met (the report says so)" };
        var worldSeed = new Option<ulong>("--world-seed") { Description = "Seed of the study's clips", DefaultValueFactory = _ => d.WorldSeed };
        var device = DeviceOption.Create();
        var cmd = new Command("experiment", "The study (docs/experiment.md): baseline / +drift / +guidance / lamo / flowmo / +drift-nf over training and sampling seeds, world conditions, splits and modes, with two-level paired bootstrap CIs; resumable")
        {
            models, output, overwrite, resume, variants, trainSeeds, steps, cache, trainClips, learningRate, driftLambda, nfLambda, nfKappa, samplingSeeds, splits,
            conditions, modes, scenarios, clips, extended, t2vClips, size, frames, givenFrames, sampleSteps, cfg, lambda, rho, flowMoStep, flowMoIterations,
            bootstrap, level, primaryMetrics, primarySplit, primaryConditions, sampleSize, gate, gateSeed, gateClips, ignoreGate, worldSeed, device,
        };
        cmd.Subcommands.Add(Select());
        cmd.SetAction(p =>
        {
            DeviceOption.RequireCpu(p, device, "lamo experiment");
            var o = p.InvocationConfiguration.Output;
            if (p.GetValue(resume) && p.GetValue(overwrite)) throw new ArgumentException("--resume continues a run and --overwrite replaces it: give one");
            string modelsDir = RepoPaths.Resolve(p.GetValue(models)!);
            string run = p.GetValue(output) ?? Path.Combine(RepoPaths.Root, "runs", $"experiment-{DateTime.Now:yyyyMMdd-HHmmss}");
            var seeds = p.GetValue(trainSeeds) is { } ts ? Ints(ts, "--train-seeds") : null;
            var splitFiles = new List<SplitRanges>();
            string SplitName(string item)
            {
                if (!File.Exists(item)) return item;
                var ranges = SplitRanges.Load(item);
                if (splitFiles.All(x => x.Name != ranges.Name)) splitFiles.Add(ranges);
                return ranges.Name;
            }
            var splitNames = List(p.GetValue(splits)!).Select(SplitName).ToArray();
            string? gateSplit = p.GetValue(gate) is { } g ? SplitName(g) : null;
            var options = new StudyOptions
            {
                Variants = List(p.GetValue(variants)!), TrainSeeds = seeds, SamplingSeeds = Ints(p.GetValue(samplingSeeds)!, "--sampling-seeds").Select(i => (long)i).ToArray(),
                Splits = splitNames, SplitFiles = splitFiles, Conditions = StudyCondition.ParseList(p.GetValue(conditions)!), Modes = List(p.GetValue(modes)!),
                CoreScenarios = ScenarioNames.ParseList(p.GetValue(scenarios)!).Where(ScenarioNames.IsCore).ToArray(),
                ClipsPerCoreScenario = p.GetValue(clips), ClipsPerExtendedScenario = p.GetValue(extended), TextToVideoClips = p.GetValue(t2vClips), WorldSeed = p.GetValue(worldSeed),
                Size = p.GetValue(size), Frames = p.GetValue(frames), GivenFrames = p.GetValue(givenFrames), Steps = p.GetValue(sampleSteps), Cfg = p.GetValue(cfg),
                Guidance = new MotionPriorGuidanceOptions(p.GetValue(lambda), p.GetValue(rho)), FlowMoStepSize = p.GetValue(flowMoStep), FlowMoIterations = p.GetValue(flowMoIterations),
                BootstrapResamples = p.GetValue(bootstrap), ConfidenceLevel = p.GetValue(level), PrimaryMetrics = List(p.GetValue(primaryMetrics)!), PrimarySplit = p.GetValue(primarySplit)!,
                PrimaryConditions = p.GetValue(primaryConditions) is { } pc ? List(pc) : null, SampleSize = p.GetValue(sampleSize), GateSplit = gateSplit, GateWorldSeed = p.GetValue(gateSeed), GateClips = p.GetValue(gateClips), IgnoreGate = p.GetValue(ignoreGate),
            }.Validate();
            bool nf = options.Variants.Contains(StudyVariant.DriftNoiseFloorName);
            if (!nf && (p.GetValue(nfLambda) is not null || p.GetValue(nfKappa) is not null))
                throw new ArgumentException($"--drift-nf-lambda and --drift-nf-kappa set the {StudyVariant.DriftNoiseFloorName} fine-tunes: add {StudyVariant.DriftNoiseFloorName} to --variants");
            int? fineTuneSteps = p.GetValue(steps);
            if (fineTuneSteps is not null && seeds is null) throw new ArgumentException("--steps trains fresh fine-tunes and needs --train-seeds (e.g. 0,1,2)");
            string? cacheDir = p.GetValue(cache) is { } c ? RepoPaths.Resolve(c) : null;
            var settings = new FineTuneSettings(options.Size, options.Frames, p.GetValue(trainClips), LearningRate: p.GetValue(learningRate), DriftLambda: p.GetValue(driftLambda),
                DriftNoiseFloor: nf, DriftNoiseFloorLambda: p.GetValue(nfLambda), DriftNoiseFloorKappa: p.GetValue(nfKappa), Steps: fineTuneSteps ?? 0);
            StudyBackbone.Check(options, Path.Combine(modelsDir, "base"));   // Wan: what it cannot do, refused before the folder is claimed
            var plan = Plan(options, modelsDir, fineTuneSteps is null ? null : settings, cacheDir);
            // After the options are checked, before any work.
            if (p.GetValue(resume)) StudyRunFolder.Resume(run, "experiment", plan);
            else StudyRunFolder.Claim(run, "experiment", p.GetValue(overwrite), plan);
            using var cts = new LaMo.Reliability.SignalStop(p.InvocationConfiguration.Error);
            StudyModels set = fineTuneSteps is { } n
                ? StudyModels.Train(Path.Combine(modelsDir, "base"), Path.Combine(run, "finetunes"), seeds!, n, cacheDir, settings, o, cts.Token)
                : StudyModels.Discover(modelsDir, seeds, nf);
            var result = StudyRunner.Run(options, set, run, o, cts.Token);
            string table = StudyReport.Write(result, run, new ReportStyle("LaMo study: ablation and FlowMo on the physics world",
            [
                $"Protocol: one base ({set.Base}) fine-tuned for the same steps with and without LaMo, training seeds {string.Join(", ", set.Pairs.Select(x => x.Seed))}" +
                $"{(set.Trained ? " (fresh fine-tunes of this run)" : "")}{(p.GetValue(driftLambda) is { } dl ? $", drift-loss weight λ = {dl}" : "")}; sampling seeds {string.Join(", ", options.SamplingSeeds)}; " +
                $"modes {string.Join(", ", options.Modes)} (continuation: the first {options.GivenFrames} frames given); {options.Steps} denoising steps, CFG {options.Cfg.ToString(CultureInfo.InvariantCulture)}; " +
                $"splits {string.Join(", ", options.Splits)}; conditions {string.Join(", ", options.Conditions.Select(x => $"{x.Id} {x.Label}"))}.",
                .. options.VariantList().Select(v => $"{v.Name}: {v.Description}."),
            ]));
            o.WriteLine(table);
            foreach (var line in ReportTables.Findings(result.Result)) o.WriteLine(line);
            o.WriteLine($"experiment: run folder {run}");
            return 0;
        });
        return cmd;
    }

    // lamo experiment select --arm ARM RUN...: the protocol's selection rule over the grid-point runs of one arm.
    private static Command Select()
    {
        var arm = new Option<string>("--arm") { Description = $"The arm tuned by the runs ({string.Join(", ", StudyTuning.Tuned.Keys)})", Required = true };
        var runs = new Argument<string[]>("runs") { Description = "Finished experiment runs on the validation split, one per grid point", Arity = ArgumentArity.OneOrMore };
        var table = new Option<string?>("--out") { Description = "Also write the tuning table (Markdown) to this file" };
        var cmd = new Command("select", "Pick an arm's hyper-parameters from its grid-point runs by the study-v2 rule: lowest validation M1c (conditions weighted equally) among points whose failure rate is at most the baseline's + 0.05; within 1 %, the smaller intervention")
            { arm, runs, table };
        cmd.SetAction(p =>
        {
            string name = p.GetValue(arm)!;
            var points = p.GetValue(runs)!.Select(r => StudyTuning.Measure(r, name)).ToArray();
            var chosen = StudyTuning.Select(points, name);
            string md = StudyTuning.Table(points, name, chosen);
            var o = p.InvocationConfiguration.Output;
            o.Write(md);
            if (p.GetValue(table) is { } path) LaMo.Core.AtomicFile.WriteAllText(path, md);
            if (chosen is null)
            {
                p.InvocationConfiguration.Error.WriteLine($"experiment select: no grid point of {name} qualifies (every failure rate above the baseline's + {StudyTuning.FailureSlack}, or no M1c)");
                return 1;
            }
            o.WriteLine($"experiment select: {name}: {string.Join(", ", chosen.Values.Select(v => $"{v.Name} = {v.Value.ToString("G6", CultureInfo.InvariantCulture)}"))} (run {chosen.Run})");
            return 0;
        });
        return cmd;
    }

    /// <summary>What a resumed run must share with the run it continues: the study options, the fine-tune settings (when
    /// fine-tunes are trained here) and where the models come from.</summary>
    /// <remarks><c>ignore_gate</c> is left out: a run stopped by the gate may be continued with <c>--ignore-gate</c>.</remarks>
    public static JsonObject Plan(StudyOptions options, string modelsFolder, FineTuneSettings? fineTunes, string? cache) => new()
    {
        ["options"] = JsonSerializer.SerializeToNode(options with { IgnoreGate = false }, PhysicsBenchmarkResult.JsonOptions),
        ["models"] = Path.GetFullPath(modelsFolder),
        ["fine_tunes"] = fineTunes is null ? null : JsonSerializer.SerializeToNode(fineTunes, PhysicsBenchmarkResult.JsonOptions),
        ["cache"] = cache is null ? null : Path.GetFullPath(cache),
    };

    private static string[] List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Ints(string text, string option) => List(text).Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
        ? v : throw new ArgumentException($"{option}: '{s}' is not an integer")).ToArray();
}
