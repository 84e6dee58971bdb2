using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Models.CogVideoXVae;
using LaMo.Training;
using LaMo.Video;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary><c>lamo vae train</c>: a VAE of the CogVideoX architecture at a small preset, trained on a video dataset,
/// with its scaling factor set afterwards to 1/std of the latents (as the CogVideoX/SD convention does) and saved as a
/// diffusers <c>vae/</c> folder at <c>OUT/vae</c>.</summary>
public static class VaeWorkflow
{
    /// <summary>Trains and saves; returns the loop's result and the fitted scaling factor.</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; only rank 0 writes outputs.</param>
    /// <param name="overwrite">Replace an earlier run in <paramref name="outFolder"/>.</param>
    /// <param name="resumeFrom">Resume from this checkpoint (<c>step-N</c> or <c>N</c>).</param>
    public static (TrainingResult Result, double ScalingFactor) Train(string data, string outFolder, AutoencoderKLCogVideoXConfig config,
        VaeTrainingOptions options, ClipReadOptions read, bool resume = false, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        Distributed.MpiGradientSync? sync = null, bool overwrite = false, string? resumeFrom = null)
    {
        options.Validate();
        var loopOptions = options.Loop(outFolder, resume) with { Overwrite = overwrite, ResumeFrom = resumeFrom };
        loopOptions.Validate();
        config.Validate();
        Models.CogVideoXVae.VaeLimits.Check(config, "vae config");
        var skipped = new List<SkippedFile>();
        var entries = DatasetIndex.Detect(data, skipped);
        if (read.Strict && skipped.Count > 0) throw new InvalidDataException($"{skipped[0].Path}: {skipped[0].Reason}");
        entries = Reliability.DatasetGuard.Filter(entries, skipped, read.Strict);
        var dataset = new VideoClipDataset(entries, read, skipped);
        bool root = sync?.IsRoot ?? true;   // only rank 0 writes in the run folder
        if (root)
        {
            TrainingLoop.ClaimRunFolder(loopOptions);   // before skipped.txt: an earlier run is refused untouched
            Directory.CreateDirectory(outFolder);
            SkippedList.Write(outFolder, dataset.Skipped);
        }
        if (dataset.Clips.Count == 0) throw new InvalidDataException($"{data}: no readable clips ({dataset.Skipped.Count} skipped; see skipped.txt)");
        Tensor videos;
        using (var scope = NewDisposeScope())
            videos = stack(dataset.Clips.Select(c => VideoTensor.FromFrames(c.Video))).permute(0, 2, 1, 3, 4).contiguous().MoveToOuterDisposeScope();
        manual_seed(options.Seed);
        var vae = new AutoencoderKLCogVideoX(config);
        var run = new JsonObject
        {
            ["command"] = "vae train", ["data"] = data, ["clips"] = dataset.Clips.Count,
            ["options"] = JsonSerializer.SerializeToNode(options), ["vae_config"] = JsonNode.Parse(config.ToJson()),
        };
        RunRecord.Portable(run, outFolder);
        var task = new VaeTrainingTask(options, vae, videos, sync?.Shard);
        var loop = new TrainingLoop(task, loopOptions, run, sync);
        var result = loop.Run(progress, ct);
        if (!root)
        {
            vae.Dispose();
            videos.Dispose();
            return (result, double.NaN);
        }
        double scaling = FitScalingFactor(vae, videos);
        using var final = new AutoencoderKLCogVideoX(config with { ScalingFactor = scaling });
        StateDictLoader.Load(final, StateDictLoader.StateDict(vae));
        final.SavePretrained(Path.Combine(outFolder, "vae"));
        vae.Dispose();
        videos.Dispose();
        return (result, scaling);
    }

    /// <summary>1 / std of the posterior means over (up to 64 of) the training clips.</summary>
    public static double FitScalingFactor(AutoencoderKLCogVideoX vae, Tensor videos)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        vae.eval();
        var means = new List<Tensor>();
        for (long i = 0; i < Math.Min(64, videos.shape[0]); i += 8)
        {
            using var post = vae.Encode(videos.narrow(0, i, Math.Min(8, Math.Min(64, videos.shape[0]) - i)));
            means.Add(post.Mean.clone());
        }
        double std = cat(means, 0).std().item<float>();
        return std > 0 ? 1.0 / std : 1.0;
    }
}
