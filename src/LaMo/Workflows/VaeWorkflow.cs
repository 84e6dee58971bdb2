using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Data;
using LaMo.Models;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.WanVae;
using LaMo.Training;
using LaMo.Video;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary><c>lamo vae train</c>: a video VAE at a small preset, trained on a video dataset and saved as a diffusers
/// <c>vae/</c> folder at <c>OUT/vae</c>, with its latent normalisation fitted afterwards on the training clips'
/// posterior means: CogVideoX gets scaling_factor = 1/std (the CogVideoX/SD convention), Wan gets per-channel
/// latents_mean / latents_std (what WanPipeline and <c>lamo encode</c> normalise with).</summary>
public static class VaeWorkflow
{
    /// <summary>Clips (at most) whose posterior means fit the normalisation.</summary>
    public const int FitClips = 64;

    /// <summary>Trains and saves a CogVideoX-architecture VAE; returns the loop's result and the fitted scaling factor
    /// (NaN on ranks other than 0).</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; only rank 0 writes outputs.</param>
    /// <param name="overwrite">Replace an earlier run in <paramref name="outFolder"/>.</param>
    /// <param name="resumeFrom">Resume from this checkpoint (<c>step-N</c> or <c>N</c>).</param>
    public static (TrainingResult Result, double ScalingFactor) Train(string data, string outFolder, AutoencoderKLCogVideoXConfig config,
        VaeTrainingOptions options, ClipReadOptions read, bool resume = false, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        Distributed.MpiGradientSync? sync = null, bool overwrite = false, string? resumeFrom = null)
    {
        config.Validate();
        Models.CogVideoXVae.VaeLimits.Check(config, "vae config");
        double scaling = double.NaN;
        var result = Run("cogvideox", config.RoundTripFrameStep, config.ToJson(), () => new AutoencoderKLCogVideoX(config), (vae, videos, folder) =>
        {
            var trained = (AutoencoderKLCogVideoX)vae;
            scaling = FitScalingFactor(trained, videos);
            using var final = new AutoencoderKLCogVideoX(config with { ScalingFactor = scaling });
            StateDictLoader.Load(final, StateDictLoader.StateDict(trained));
            final.SavePretrained(folder);
        }, data, outFolder, options, read, resume, progress, ct, sync, overwrite, resumeFrom);
        return (result, scaling);
    }

    /// <summary>Trains and saves a Wan-architecture VAE (<c>AutoencoderKLWan</c>); returns the loop's result and the saved
    /// config with its fitted latents_mean / latents_std (null on ranks other than 0). Clips (or crop windows) must
    /// have 1 + 4k frames.</summary>
    /// <param name="sync">Data-parallel gradient averaging (MPI) or null; only rank 0 writes outputs.</param>
    /// <param name="overwrite">Replace an earlier run in <paramref name="outFolder"/>.</param>
    /// <param name="resumeFrom">Resume from this checkpoint (<c>step-N</c> or <c>N</c>).</param>
    public static (TrainingResult Result, AutoencoderKLWanConfig? Saved) TrainWan(string data, string outFolder, AutoencoderKLWanConfig config,
        VaeTrainingOptions options, ClipReadOptions read, bool resume = false, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
        Distributed.MpiGradientSync? sync = null, bool overwrite = false, string? resumeFrom = null)
    {
        config.Validate();
        WanVaeLimits.Check(config, "vae config");
        AutoencoderKLWanConfig? saved = null;
        var result = Run("wan", config.RoundTripFrameStep, config.ToJson(), () => new AutoencoderKLWan(config), (vae, videos, folder) =>
        {
            var trained = (AutoencoderKLWan)vae;
            var (mean, std) = FitLatentStatistics(trained, videos);
            saved = config with { LatentsMean = mean, LatentsStd = std };
            using var final = new AutoencoderKLWan(saved);
            StateDictLoader.Load(final, StateDictLoader.StateDict(trained));
            final.SavePretrained(folder);
        }, data, outFolder, options, read, resume, progress, ct, sync, overwrite, resumeFrom);
        return (result, saved);
    }

    /// <summary>The shared run: reads the clips, trains <paramref name="create"/>'s VAE through <see cref="VaeTrainingTask"/>
    /// and the shared <see cref="TrainingLoop"/> (resume, checkpoints, MPI), then, on rank 0, lets
    /// <paramref name="fitAndSave"/> fit the family's normalisation on the clips and write <c>OUT/vae</c>.</summary>
    private static TrainingResult Run(string family, int frameStep, string configJson, Func<ITrainableVae> create, Action<ITrainableVae, Tensor, string> fitAndSave,
        string data, string outFolder, VaeTrainingOptions options, ClipReadOptions read, bool resume, IProgress<TrainingProgress>? progress,
        CancellationToken ct, Distributed.MpiGradientSync? sync, bool overwrite, string? resumeFrom)
    {
        options.Validate(frameStep);
        var loopOptions = options.Loop(outFolder, resume) with { Overwrite = overwrite, ResumeFrom = resumeFrom };
        loopOptions.Validate();
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
        var vae = create();
        try
        {
            var run = new JsonObject
            {
                ["command"] = "vae train", ["family"] = family, ["data"] = data, ["clips"] = dataset.Clips.Count,
                ["options"] = JsonSerializer.SerializeToNode(options), ["vae_config"] = JsonNode.Parse(configJson),
            };
            RunRecord.Portable(run, outFolder);
            var task = new VaeTrainingTask(options, vae, videos, sync?.Shard);
            var result = new TrainingLoop(task, loopOptions, run, sync).Run(progress, ct);
            if (root) fitAndSave(vae, videos, Path.Combine(outFolder, "vae"));
            return result;
        }
        finally
        {
            vae.Module.Dispose();
            videos.Dispose();
        }
    }

    /// <summary>1 / std of the posterior means over (up to <see cref="FitClips"/> of) the training clips.</summary>
    public static double FitScalingFactor(AutoencoderKLCogVideoX vae, Tensor videos)
    {
        using var scope = NewDisposeScope();
        double std = PosteriorMeans(vae, videos).std().item<float>();
        return std > 0 ? 1.0 / std : 1.0;
    }

    /// <summary>Per-channel mean and standard deviation of the posterior means over (up to <see cref="FitClips"/> of) the
    /// training clips, over clips, latent frames and positions: with them, (z − mean)/std of the training latents has
    /// mean 0 and std 1 in every channel. A channel with zero spread keeps std 1.</summary>
    public static (double[] Mean, double[] Std) FitLatentStatistics(AutoencoderKLWan vae, Tensor videos)
    {
        using var scope = NewDisposeScope();
        var means = PosteriorMeans(vae, videos);                                 // [N, C, F', h, w]
        var perChannel = means.transpose(0, 1).reshape(means.shape[1], -1);     // [C, N·F'·h·w]
        double[] mean = perChannel.mean([1]).to_type(ScalarType.Float64).data<double>().ToArray();
        double[] std = perChannel.std(1).to_type(ScalarType.Float64).data<double>().ToArray();
        return (mean, std.Select(s => s > 0 && double.IsFinite(s) ? s : 1.0).ToArray());
    }

    // Posterior means of the first FitClips clips, encoded 8 at a time in eval mode without gradients.
    private static Tensor PosteriorMeans(ITrainableVae vae, Tensor videos)
    {
        using var noGrad = no_grad();
        vae.Module.eval();
        long n = Math.Min(FitClips, videos.shape[0]);
        var means = new List<Tensor>();
        for (long i = 0; i < n; i += 8)
        {
            using var post = vae.Encode(videos.narrow(0, i, Math.Min(8, n - i)));
            means.Add(post.Mean.clone());
        }
        return cat(means, 0);
    }
}
