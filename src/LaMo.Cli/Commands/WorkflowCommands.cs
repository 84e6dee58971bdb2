using System.CommandLine;
using System.Text.Json.Nodes;
using LaMo.Data;
using LaMo.Models.CogVideoXVae;
using LaMo.Motion;
using LaMo.Training;
using LaMo.Workflows;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo vae train</c>, <c>lamo encode</c>, <c>lamo train</c>, <c>lamo prior train</c>, <c>lamo sample</c>.</summary>
public static class WorkflowCommands
{
    /// <summary>All workflow commands.</summary>
    public static IEnumerable<Command> Create() => [Pipeline(), Vae(), Encode(), Train(), Prior(), Sample()];

    private static Command Pipeline()
    {
        var output = Req("--out", "Pipeline folder to create");
        var family = new Option<string>("--family") { Description = "Backbone family: cogvideox (DDIM, v-prediction) or wan (UniPC flow matching, shift 3)", DefaultValueFactory = _ => "cogvideox" };
        var vae = new Option<string?>("--vae")
        {
            Description = "cogvideox: trained VAE folder (OUT/vae of lamo vae train), required. wan: a Wan VAE folder, loaded as trained "
                + "(e.g. OUT/vae of lamo vae train --family wan), or an AutoencoderKLWan config.json, freshly initialised (untrained); "
                + $"default {PipelineInitWorkflow.WanVaeConfigPath}",
        };
        var config = new Option<string?>("--transformer-config")
        {
            Description = $"Transformer config.json (default: configs/demo/transformer/config.json; wan: {PipelineInitWorkflow.WanTransformerConfigPath})",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the random transformer and text encoder", DefaultValueFactory = _ => 0 };
        var overwrite = Overwrite("pipeline folder");
        var init = new Command("init", "Create a pipeline folder: VAE + random word text encoder + random transformer + the family's scheduler (cogvideox: DDIM; wan: UniPC)") { output, family, vae, config, seed, overwrite };
        init.SetAction(p =>
        {
            string fam = p.GetValue(family)!;
            if (fam is not ("cogvideox" or "wan")) throw new ArgumentException($"--family ('{fam}') must be cogvideox or wan");
            if (fam == "cogvideox" && p.GetValue(vae) is null) throw new ArgumentException("--vae is required for --family cogvideox (a trained VAE folder, OUT/vae of lamo vae train)");
            LaMo.Core.OutputFolder.Claim(p.GetValue(output)!, "model_index.json", "pipeline init", p.GetValue(overwrite));
            if (fam == "wan")
            {
                bool fresh = PipelineInitWorkflow.RunWan(p.GetValue(output)!, RepoPaths.Resolve(p.GetValue(vae) ?? PipelineInitWorkflow.WanVaeConfigPath),
                    LaMo.Models.Wan.WanTransformerLimits.Load(RepoPaths.Resolve(p.GetValue(config) ?? PipelineInitWorkflow.WanTransformerConfigPath)), p.GetValue(seed));
                if (fresh) p.InvocationConfiguration.Output.WriteLine("pipeline: the Wan VAE is freshly initialised from its config (not trained)");
            }
            else
                PipelineInitWorkflow.Run(p.GetValue(output)!, p.GetValue(vae)!,
                    LaMo.Models.CogVideoX.CogVideoXTransformerConfig.Load(RepoPaths.Resolve(p.GetValue(config) ?? "configs/demo/transformer/config.json")), p.GetValue(seed));
            p.InvocationConfiguration.Output.WriteLine($"pipeline: wrote {p.GetValue(output)}");
            return 0;
        });
        return new Command("pipeline", "Pipeline folder commands") { init };
    }

    /// <summary>The <c>--overwrite</c> flag of a command that creates <paramref name="what"/>.</summary>
    internal static Option<bool> Overwrite(string what) =>
        new("--overwrite") { Description = $"Replace an earlier {what} at --out (a folder holding anything else is always refused)" };

    private static Option<string> Req(string name, string description) => new(name) { Description = description, Required = true };

    // --size for square frames, --height/--width for others (CogVideoX: 480 × 720).
    private static (Option<int> Size, Option<int?> Height, Option<int?> Width) FrameSize() =>
        (new Option<int>("--size") { Description = "Frame height and width", DefaultValueFactory = _ => 64 },
         new Option<int?>("--height") { Description = "Frame height (overrides --size)" },
         new Option<int?>("--width") { Description = "Frame width (overrides --size)" });

    private static (int Height, int Width) Resolve(ParseResult p, (Option<int> Size, Option<int?> Height, Option<int?> Width) o) =>
        (p.GetValue(o.Height) ?? p.GetValue(o.Size), p.GetValue(o.Width) ?? p.GetValue(o.Size));

    /// <summary>The default VAE config of <c>lamo vae train</c> (relative to the repository).</summary>
    private const string CogVideoXVaeConfigPath = "configs/tiny/vae/config.json";

    private static Command Vae()
    {
        var data = Req("--data", "Video dataset (folder, CSV, metadata.csv, ...)");
        var output = Req("--out", "Run folder; the trained VAE goes to OUT/vae");
        var family = new Option<string>("--family")
        {
            Description = "VAE architecture: cogvideox (AutoencoderKLCogVideoX; scaling_factor fitted) or wan (AutoencoderKLWan; per-channel "
                + "latents_mean / latents_std fitted, for lamo pipeline init --family wan --vae OUT/vae)",
            DefaultValueFactory = _ => "cogvideox",
        };
        var config = new Option<string?>("--vae-config") { Description = $"VAE config.json (default: {CogVideoXVaeConfigPath}; wan: {PipelineInitWorkflow.WanVaeConfigPath})" };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps", DefaultValueFactory = _ => 1500 };
        var batch = new Option<int>("--batch-size") { Description = "Clips per step (the global batch under mpirun)", DefaultValueFactory = _ => 4 };
        var lr = new Option<double>("--learning-rate") { Description = "AdamW learning rate (linear warm-up, then constant)", DefaultValueFactory = _ => 1e-3 };
        var frames = new Option<int>("--frames") { Description = "Frames per clip read from each video", DefaultValueFactory = _ => 17 };
        var size = FrameSize();
        var seed = new Option<int>("--seed") { Description = "Seed of batches and posterior samples", DefaultValueFactory = _ => 0 };
        var warmup = new Option<int>("--warmup-steps") { Description = "Linear warm-up steps", DefaultValueFactory = _ => 50 };
        var crop = new Option<int>("--crop-frames") { Description = "Train on random windows of this many frames (0 = whole clips; cogvideox: 1 + 8k, wan: 1 + 4k); the demo's VAE used 9", DefaultValueFactory = _ => 0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Checkpoint interval (steps)", DefaultValueFactory = _ => LaMo.Training.TrainingLoopOptions.DefaultCheckpointEvery };
        var (resume, resumeFrom, overwrite) = RunFolderOptions();
        var strict = new Option<bool>("--strict") { Description = "Stop at the first bad file" };
        var device = DeviceOption.Create();
        var train = new Command("train", "Train a small CogVideoX- or Wan-architecture VAE on videos (data parallel under mpirun)") { data, output, family, config, steps, batch, lr, frames, size.Size, size.Height, size.Width, seed, warmup, crop, checkpointEvery, resume, resumeFrom, overwrite, strict, device };
        train.SetAction(p =>
        {
            DeviceOption.RequireCpu(p, device, "lamo vae train");
            string fam = p.GetValue(family)!;
            if (fam is not ("cogvideox" or "wan")) throw new ArgumentException($"--family ('{fam}') must be cogvideox or wan");
            string configPath = RepoPaths.Resolve(p.GetValue(config) ?? (fam == "wan" ? PipelineInitWorkflow.WanVaeConfigPath : CogVideoXVaeConfigPath));
            var cogConfig = fam == "cogvideox" ? LaMo.Models.CogVideoXVae.VaeLimits.Load(configPath) : null;
            var wanConfig = fam == "wan" ? LaMo.Models.WanVae.WanVaeLimits.Load(configPath) : null;
            var opts = new VaeTrainingOptions(p.GetValue(steps), p.GetValue(batch), p.GetValue(lr), WarmupSteps: p.GetValue(warmup),
                Seed: p.GetValue(seed), CropFrames: p.GetValue(crop), CheckpointEvery: p.GetValue(checkpointEvery))
                .Validate(cogConfig?.RoundTripFrameStep ?? wanConfig!.RoundTripFrameStep);
            // Data parallel under mpirun/srun, like lamo train.
            using var mpi = MpiSession.Start(p.InvocationConfiguration.Output);
            mpi.CheckGlobalBatch(opts.BatchSize);
            var o = mpi.Output;
            using var cts = new LaMo.Reliability.SignalStop(p.InvocationConfiguration.Error);
            string normalisation = "";
            var r = mpi.Run(() => CliSupport.RunWithProgress("vae", opts.Steps, o, prog =>
            {
                var (height, width) = Resolve(p, size);
                var read = new ClipReadOptions(p.GetValue(frames), Width: width, Height: height, Strict: p.GetValue(strict));
                if (wanConfig is not null)
                {
                    var (wanResult, saved) = VaeWorkflow.TrainWan(p.GetValue(data)!, p.GetValue(output)!, wanConfig, opts, read, p.GetValue(resume), prog, cts.Token,
                        mpi.Sync, overwrite: p.GetValue(overwrite), resumeFrom: p.GetValue(resumeFrom));
                    if (saved is not null)
                        normalisation = $"latents_mean / latents_std fitted per channel (z_dim {saved.ZDim}, std {saved.LatentsStd.Min():G3} to {saved.LatentsStd.Max():G3})";
                    return wanResult;
                }
                var (res, s) = VaeWorkflow.Train(p.GetValue(data)!, p.GetValue(output)!, cogConfig!, opts, read, p.GetValue(resume), prog, cts.Token, mpi.Sync,
                    overwrite: p.GetValue(overwrite), resumeFrom: p.GetValue(resumeFrom));
                normalisation = $"scaling_factor {s:G5}";
                return res;
            }, plainLines: mpi.Sync is not null), p.InvocationConfiguration.Error);
            o.WriteLine($"vae: {CliSupport.StepsDone(r)}, {normalisation}, saved {Path.Combine(p.GetValue(output)!, "vae")}");
            return r.Interrupted ? cts.ExitCode : 0;
        });
        return new Command("vae", "VAE commands") { train };
    }

    private static Command Encode()
    {
        var data = Req("--data", "Video dataset (folder, CSV, metadata.csv, prompts.txt+videos.txt)");
        var pipeline = Req("--pipeline", "Pipeline folder whose vae/ and text_encoder/ encode");
        var output = Req("--out", "Latent cache folder (resumable)");
        var frames = new Option<int>("--frames") { Description = "Frames per clip read from each video", DefaultValueFactory = _ => 17 };
        var size = FrameSize();
        var strict = new Option<bool>("--strict") { Description = "Stop at the first bad file" };
        var shardSize = new Option<int>("--shard-size") { Description = "Clips per cache shard (the unit of resumption)", DefaultValueFactory = _ => 64 };
        var tiling = new Option<bool>("--vae-tiling") { Description = "Encode in spatial tiles (bounded memory for large frames, e.g. 480x720)" };
        var textDtype = new Option<string>("--text-dtype") { Description = "T5 text encoder weights: fp32, bf16 or fp16 (the cache stores fp32)", DefaultValueFactory = _ => "fp32" };
        var shard = Sharding.Option();
        var device = DeviceOption.Create();
        var cmd = new Command("encode", "Encode videos and captions into a latent cache (at the data's own frame size unless --size/--height/--width)") { data, pipeline, output, frames, size.Size, size.Height, size.Width, strict, shardSize, tiling, textDtype, shard, device };
        cmd.SetAction(p =>
        {
            var on = DeviceOption.Resolve(p, device);
            string outDir = p.GetValue(output)!;
            LaMo.Core.OutputFolder.ClaimResumable(outDir, "cache.json", "encode");   // a cache continues; other files are not mixed into
            return Sharding.Run(p, shard, outDir, (part, w) =>
            {
                EncodeReport r = null!;
                var (height, width) = EncodeSize(p, size, p.GetValue(data)!, w);
                CliSupport.RunWithCounter("encode", w, prog => r = EncodeWorkflow.Run(p.GetValue(data)!, p.GetValue(pipeline)!, outDir,
                    new ClipReadOptions(p.GetValue(frames), Width: width, Height: height), p.GetValue(strict), progress: prog, shardSize: p.GetValue(shardSize), part: part, vaeTiling: p.GetValue(tiling),
                    textEncoderDtype: LaMo.Models.WeightDtype.Parse(p.GetValue(textDtype)!, "--text-dtype"), device: on));
                string where = part is null ? outDir : LaMo.Distributed.ShardParts.PartFolder(outDir, part);
                if (part is null && r.Encoded + r.AlreadyCached == 0)
                    throw new InvalidDataException($"{p.GetValue(data)}: no usable clips ({r.Skipped.Count} skipped: "
                        + string.Join(", ", r.Skipped.GroupBy(x => x.Reason).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} × {g.Key}")) + ")");
                w.WriteLine($"encode: {r.Encoded} encoded, {r.AlreadyCached} already cached, {r.Skipped.Count} skipped (see {Path.Combine(where, "skipped.txt")})");
            });
        });
        return cmd;
    }

    // The frame size to encode at: the one given, else the data's own (its first readable video), else 64. A given size
    // that resizes the data is said once: upscaling 32 px clips to 64 costs 4× the time and changes what is learned.
    private static (int Height, int Width) EncodeSize(ParseResult p, (Option<int> Size, Option<int?> Height, Option<int?> Width) o, string data, TextWriter w)
    {
        bool given = p.GetResult(o.Size) is { Implicit: false } || p.GetValue(o.Height) is not null || p.GetValue(o.Width) is not null;
        var own = LaMo.Data.DatasetIndex.Detect(data).Select(e => DeclaredSize(e.VideoPath)).FirstOrDefault(s => s is not null);
        if (!given && own is { } native) return (native.Height, native.Width);
        var (height, width) = Resolve(p, o);
        if (own is { } data0 && (data0.Height != height || data0.Width != width))
            w.WriteLine($"encode: resizing the data's {data0.Width}x{data0.Height} frames to {width}x{height} ({(given ? "as given" : "no size known")}); leave out --size to keep the data's own");
        return (height, width);
    }

    private static (int Width, int Height)? DeclaredSize(string video)
    {
        try { return File.Exists(video) ? LaMo.Reliability.VideoHeaderProbe.FrameSize(video) : null; }
        catch (IOException) { return null; }   // unreadable: the encode itself skips and lists it
    }

    // How a training command treats a run folder that already holds a run.
    private static (Option<bool> Resume, Option<string?> ResumeFrom, Option<bool> Overwrite) RunFolderOptions() =>
        (new Option<bool>("--resume") { Description = "Continue the run in --out from its newest intact checkpoint (a damaged newer one is passed over, and named)" },
         new Option<string?>("--resume-from") { Description = "Continue from this checkpoint of the run (step-N or N)" },
         new Option<bool>("--overwrite") { Description = "Replace the earlier run in --out (refused otherwise, unless resuming)" });

    // --config and --set over the keys of T; --set's help lists every key with its default and meaning.
    private static (Option<string?> Config, Option<string[]> Set) ConfigOptions<T>() =>
        (new Option<string?>("--config") { Description = "Options JSON file (the --set keys below)" },
         new Option<string[]>("--set") { Description = OptionKeys.Help<T>(), AllowMultipleArgumentsPerToken = false });

    private static Command Train()
    {
        var (config, set) = ConfigOptions<BackboneTrainingOptions>();
        var cache = new Option<string?>("--cache") { Description = "Latent cache folder (required, here or as cache in --config)" };
        var output = new Option<string?>("--out") { Description = "Run folder (required, here or as out in --config)" };
        var init = new Option<string?>("--init") { Description = "Pipeline folder to fine-tune" };
        var drift = new Option<bool>("--drift-loss") { Description = "Add LaMo's Motion Drift Loss" };
        var predictor = new Option<bool>("--predictor") { Description = "Train the motion-field predictor jointly" };
        var (resume, resumeFrom, overwrite) = RunFolderOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the resolved plan and the memory estimate, then exit (nothing is built)" };
        var device = DeviceOption.Create();
        var cmd = new Command("train", "Train or fine-tune the backbone (full or LoRA), optionally with LaMo") { config, set, cache, output, init, drift, predictor, resume, resumeFrom, overwrite, dryRun, device };
        cmd.SetAction(p =>
        {
            var on = DeviceOption.Resolve(p, device);
            var explicitValues = new Dictionary<string, JsonNode?>
            {
                ["cache"] = p.GetValue(cache), ["out"] = p.GetValue(output), ["init"] = p.GetValue(init),
                ["drift_loss"] = p.GetValue(drift) ? true : null, ["predictor"] = p.GetValue(predictor) ? true : null,
                ["resume"] = p.GetValue(resume) ? true : null, ["resume_from"] = p.GetValue(resumeFrom), ["overwrite"] = p.GetValue(overwrite) ? true : null,
            };
            // Resolved once: every later step takes the plan, never the raw options.
            var plan = BackboneTrainingPlan.Resolve(CliSupport.BuildOptions<BackboneTrainingOptions>(p.GetValue(config), explicitValues, p.GetValue(set) ?? [])) with { Device = on };
            if (p.GetValue(dryRun))
            {
                var estimate = BackboneWorkflow.Estimate(plan);
                p.InvocationConfiguration.Output.WriteLine($"train: plan {plan.ToJson().ToJsonString()}");
                p.InvocationConfiguration.Output.WriteLine($"train: {estimate.Summary()}");
                p.InvocationConfiguration.Output.WriteLine($"train: {(estimate.Fits(plan.MaxMemoryBytes) ? "fits" : "does NOT fit")}; dry run, nothing was built");
                return 0;
            }
            // Under mpirun/srun every rank trains its shard of each global batch; rank 0 prints and writes outputs.
            using var mpi = MpiSession.Start(p.InvocationConfiguration.Output);
            mpi.CheckGlobalBatch(plan.Batch.BatchSize);
            var w = mpi.Output;
            w.WriteLine($"train: plan {plan.ToJson().ToJsonString()}");
            if (on.type != TorchSharp.DeviceType.CPU) w.WriteLine($"train: computing on {on} (checkpoints and weights are written from CPU copies)");
            using var cts = new LaMo.Reliability.SignalStop(p.InvocationConfiguration.Error);
            var r = mpi.Run(() => CliSupport.RunWithProgress("train", plan.Loop.TotalSteps, w,
                prog => BackboneWorkflow.Run(plan, prog, cts.Token, mpi.Sync), plainLines: mpi.Sync is not null), p.InvocationConfiguration.Error);
            w.WriteLine($"train: {CliSupport.StepsDone(r)}, outputs in {plan.Out}");
            return r.Interrupted ? cts.ExitCode : 0;
        });
        return cmd;
    }

    private static Command Prior()
    {
        var (config, set) = ConfigOptions<PredictorTrainingOptions>();
        var cache = new Option<string?>("--cache") { Description = "Latent cache folder (required, here or as cache in --config)" };
        var output = new Option<string?>("--out") { Description = "Run folder; predictor saved to OUT/predictor (required, here or as out in --config)" };
        var (resume, resumeFrom, overwrite) = RunFolderOptions();
        var device = DeviceOption.Create();
        var train = new Command("train", "Train the motion-field predictor alone on a latent cache (data parallel under mpirun)") { config, set, cache, output, resume, resumeFrom, overwrite, device };
        train.SetAction(p =>
        {
            var on = DeviceOption.Resolve(p, device);
            var explicitValues = new Dictionary<string, JsonNode?>
            {
                ["cache"] = p.GetValue(cache), ["out"] = p.GetValue(output), ["resume"] = p.GetValue(resume) ? true : null,
                ["resume_from"] = p.GetValue(resumeFrom), ["overwrite"] = p.GetValue(overwrite) ? true : null,
            };
            var plan = PredictorTrainingPlan.Resolve(CliSupport.BuildOptions<PredictorTrainingOptions>(p.GetValue(config), explicitValues, p.GetValue(set) ?? [])) with { Device = on };
            // Data parallel under mpirun/srun, like lamo train.
            using var mpi = MpiSession.Start(p.InvocationConfiguration.Output);
            mpi.CheckGlobalBatch(plan.Batch.BatchSize);
            var w = mpi.Output;
            w.WriteLine($"prior: plan {plan.ToJson().ToJsonString()}");
            if (on.type != TorchSharp.DeviceType.CPU) w.WriteLine($"prior: computing on {on} (checkpoints and weights are written from CPU copies)");
            using var cts = new LaMo.Reliability.SignalStop(p.InvocationConfiguration.Error);
            var r = mpi.Run(() => CliSupport.RunWithProgress("prior", plan.Loop.TotalSteps, w,
                prog => PriorWorkflow.Run(plan, prog, cts.Token, mpi.Sync), plainLines: mpi.Sync is not null), p.InvocationConfiguration.Error);
            w.WriteLine($"prior: {CliSupport.StepsDone(r)}, predictor in {Path.Combine(plan.Out, "predictor")}");
            return r.Interrupted ? cts.ExitCode : 0;
        });
        return new Command("prior", "Motion-field predictor commands") { train };
    }

    private static Command Sample()
    {
        var pipeline = Req("--pipeline", "Pipeline folder");
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt (repeatable)" };
        var prompts = new Option<string?>("--prompts") { Description = "File with one prompt per line" };
        var seeds = new Option<long[]>("--seed") { Description = "Seed (repeatable)", DefaultValueFactory = _ => [0] };
        var output = Req("--out", "Output folder");
        var lora = new Option<string?>("--lora") { Description = "LoRA adapter file" };
        var predictor = new Option<string?>("--predictor") { Description = "Predictor folder (for --guidance)" };
        var guidance = new Option<bool>("--guidance") { Description = "Motion Prior Guidance" };
        var lambda = new Option<double>("--lambda") { Description = "Guidance step size λ (with --guidance)", DefaultValueFactory = _ => MotionPriorGuidanceOptions.Default.Lambda };
        var rho = new Option<double>("--rho") { Description = "Guided fraction ρ of the steps, the last ones (with --guidance)", DefaultValueFactory = _ => MotionPriorGuidanceOptions.Default.Rho };
        var steps = new Option<int>("--steps") { Description = "Denoising steps", DefaultValueFactory = _ => 50 };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale (1: off)", DefaultValueFactory = _ => 6.0 };
        var frames = new Option<int>("--frames") { Description = "RGB frames (1 + 4k); with --world or --given-video the clip's frames and size are the default", DefaultValueFactory = _ => 17 };
        var size = FrameSize();
        var format = new Option<string>("--format") { Description = "Video file format: mp4 or gif", DefaultValueFactory = _ => "mp4" };
        var maxMemory = new Option<string?>("--max-memory") { Description = "Memory the run may use (e.g. 24G; default: available memory); refused up front when the estimate exceeds it" };
        var scheduler = new Option<string?>("--scheduler") { Description = "Override the pipeline's scheduler: ddim or dpm (LaMo's recipe: dpm)" };
        var firstOrder = new Option<bool>("--first-order-dpm") { Description = "DPM always first order, as LaMo's sampling code" };
        var dynamicCfg = new Option<bool>("--dynamic-cfg") { Description = "CogVideoX's dynamic CFG schedule" };
        var negative = new Option<string>("--negative-prompt") { Description = "Negative prompt for CFG", DefaultValueFactory = _ => "" };
        var tilingS = new Option<bool>("--vae-tiling") { Description = "Decode in spatial tiles (bounded memory at 480x720 and up)" };
        var dtype = new Option<string>("--dtype") { Description = "Transformer and T5 weights: fp32, bf16 or fp16 (VAE and guidance stay fp32)", DefaultValueFactory = _ => "fp32" };
        var world = new Option<string?>("--world") { Description = "World folder (lamo world generate): sample every clip with its caption, files named by clip id (ready for lamo eval physics)" };
        var givenVideo = new Option<string?>("--given-video") { Description = "Continue this video (its caption as the one --prompt); the file is named by its stem" };
        var givenFrames = new Option<int>("--given-frames") { Description = "Frames of the clip given to the model (1 + 4k, e.g. 5) with --world or --given-video; 0 = text-to-video", DefaultValueFactory = _ => 0 };
        var loraScale = new Option<double>("--lora-scale") { Description = "Factor on the LoRA update (0 = base model, 1 = as trained)", DefaultValueFactory = _ => 1.0 };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the videos and sample.json an earlier run left in --out (otherwise refused)" };
        var shard = Sharding.Option();
        var device = DeviceOption.Create();
        var cmd = new Command("sample", "Generate videos from prompts, or continue given clips (optionally LoRA + Motion Prior Guidance); writes sample.json beside them")
            { pipeline, prompt, prompts, seeds, output, world, givenVideo, givenFrames, lora, loraScale, predictor, guidance, lambda, rho, steps, cfg, frames, size.Size, size.Height, size.Width, format, maxMemory, dtype, tilingS, scheduler, firstOrder, dynamicCfg, negative, overwrite, shard, device };
        cmd.SetAction(p =>
        {
            DeviceOption.Resolve(p, device);   // before anything else: cuda on the CPU build is one line, exit 2
            // Guidance settings without --guidance would be accepted and silently ignored.
            if (!p.GetValue(guidance) && (p.GetValue(predictor) is not null || p.GetResult(lambda) is { Implicit: false } || p.GetResult(rho) is { Implicit: false }))
                throw new ArgumentException("--predictor, --lambda and --rho set Motion Prior Guidance: add --guidance, or leave them out");
            var list = (p.GetValue(prompt) ?? []).ToList();
            if (p.GetValue(prompts) is { } file)
            {
                if (!File.Exists(file)) throw new ArgumentException($"--prompts {file}: no such file");
                list.AddRange(File.ReadAllLines(file).Where(l => l.Trim().Length > 0));
            }
            // With a given clip, frame count and size default to the clip's (0 = take the clip's).
            bool fromClip = p.GetValue(world) is not null || p.GetValue(givenVideo) is not null;
            int Given<T>(Option<T> opt, int value) => fromClip && p.GetResult(opt) is null or { Implicit: true } ? 0 : value;
            var o = new SampleOptions(p.GetValue(pipeline)!, list, p.GetValue(seeds)!, p.GetValue(output)!, p.GetValue(lora), p.GetValue(predictor),
                p.GetValue(guidance) ? new MotionPriorGuidanceOptions(p.GetValue(lambda), p.GetValue(rho)).Validate() : null,
                p.GetValue(steps), p.GetValue(cfg), Given(frames, p.GetValue(frames)), Given(size.Size, p.GetValue(size.Size)), p.GetValue(format)!, FirstOrderDpm: p.GetValue(firstOrder),
                MaxMemoryBytes: p.GetValue(maxMemory) is { } mm ? LaMo.Reliability.MemoryEstimate.ParseSize(mm, "--max-memory") : null,
                Dtype: p.GetValue(dtype)!, Height: p.GetValue(size.Height), Width: p.GetValue(size.Width), VaeTiling: p.GetValue(tilingS),
                Scheduler: p.GetValue(scheduler), DynamicCfg: p.GetValue(dynamicCfg), NegativePrompt: p.GetValue(negative)!,
                World: p.GetValue(world), GivenVideo: p.GetValue(givenVideo), GivenFrames: p.GetValue(givenFrames), LoraScale: p.GetValue(loraScale),
                Overwrite: p.GetValue(overwrite), Device: p.GetValue(device)!).Validate();   // before anything is created (--steps -1 leaves no folder)
            return Sharding.Run(p, shard, o.Out, (part, w) =>
            {
                IReadOnlyList<SampledVideo> videos = [];
                CliSupport.RunWithCounter("sample", w, prog => videos = SampleWorkflow.Run(o, prog, part: part));
                foreach (var v in videos) w.WriteLine($"{v.Path}\t{v.Seconds:F1}s\t{v.Prompt}");
                if (part is null) w.WriteLine($"sample: {videos.Count} video(s), {o.Mode}{(o.GivenFrames > 0 ? $" from {o.GivenFrames} given frames" : "")}; wrote {Path.Combine(o.Out, SampleRecord.FileName)}");
            });
        });
        return cmd;
    }
}
