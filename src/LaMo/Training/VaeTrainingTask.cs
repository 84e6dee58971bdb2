using LaMo.Core;
using LaMo.Models;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Options of <c>lamo vae train</c>.</summary>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="BatchSize">Clips per step.</param>
/// <param name="LearningRate">AdamW learning rate (warm-up then constant).</param>
/// <param name="WarmupSteps">Warm-up steps.</param>
/// <param name="KlWeight">Weight of the KL term relative to the per-element MSE (keeps the posterior near N(0, I)).</param>
/// <param name="Seed">Seed of batches and posterior samples.</param>
/// <param name="CropFrames">Train on random windows of this many frames (0 = whole clips; otherwise 1 + step·k, step the
/// VAE's <see cref="ITrainableVae.FrameStep"/>: 8 for CogVideoX, 4 for Wan): the causal VAE is frame-count agnostic,
/// and short windows make each step several times cheaper.</param>
/// <param name="LogEvery">Metrics interval.</param>
/// <param name="CheckpointEvery">Checkpoint interval.</param>
public sealed record VaeTrainingOptions(int Steps = 1500, int BatchSize = 4, double LearningRate = 1e-3, int WarmupSteps = 50,
    double KlWeight = 1e-6, int Seed = 0, int CropFrames = 0, int LogEvery = TrainingLoopOptions.DefaultLogEvery,
    int CheckpointEvery = TrainingLoopOptions.DefaultCheckpointEvery)
{
    /// <summary>The loop's settings for a run in <paramref name="runFolder"/>.</summary>
    public TrainingLoopOptions Loop(string runFolder, bool resume) => new(runFolder, Steps, LogEvery, CheckpointEvery, resume);

    /// <summary>Checks ranges; names the bad field.</summary>
    /// <param name="frameStep">The VAE's <see cref="ITrainableVae.FrameStep"/>: crop windows must have 1 + frameStep·k frames.</param>
    public VaeTrainingOptions Validate(int frameStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameStep);
        if (Steps <= 0) throw new ArgumentException($"steps ({Steps}) must be > 0", "steps");
        if (BatchSize <= 0) throw new ArgumentException($"batch_size ({BatchSize}) must be > 0", "batch_size");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning_rate ({LearningRate}) must be > 0", "learning_rate");
        if (CropFrames < 0 || (CropFrames > 0 && (CropFrames - 1) % frameStep != 0))
            throw new ArgumentException($"crop_frames ({CropFrames}) must be 0 or 1 + {frameStep}k", "crop_frames");
        if (LogEvery <= 0) throw new ArgumentException($"log_every ({LogEvery}) must be > 0", "log_every");
        if (CheckpointEvery <= 0) throw new ArgumentException($"checkpoint_every ({CheckpointEvery}) must be > 0", "checkpoint_every");
        if (!(KlWeight >= 0)) throw new ArgumentException($"kl_weight ({KlWeight}) must be >= 0", "kl_weight");
        return this;
    }
}

/// <summary>Trains a small video VAE (CogVideoX or Wan architecture, through <see cref="ITrainableVae"/>): reconstruction
/// MSE of a posterior sample plus a small KL. (The published VAEs also used perceptual and adversarial terms; at 64×64
/// physics renders MSE suffices.)</summary>
public sealed class VaeTrainingTask : ITrainingTask
{
    private readonly VaeTrainingOptions _o;
    private readonly ITrainableVae _vae;
    private readonly Tensor _videos;          // [N, 3, F, H, W] in [-1, 1]
    private readonly Data.DataShard _shard;

    /// <summary>Creates the task over <paramref name="videos"/> [N, 3, F, H, W] in [-1, 1] (kept in memory).</summary>
    /// <exception cref="ArgumentException">Bad options (named), or clips whose frame count does not round-trip.</exception>
    public VaeTrainingTask(VaeTrainingOptions options, ITrainableVae vae, Tensor videos, Data.DataShard? shard = null)
    {
        _o = options.Validate(vae.FrameStep); _vae = vae;
        _shard = shard ?? Data.DataShard.Single;
        _shard.LocalBatch(options.BatchSize);   // validates that the ranks divide the global batch
        if (videos.dim() != 5 || videos.shape[1] != 3) throw new ArgumentException($"videos must be [N, 3, F, H, W]; got [{string.Join(", ", videos.shape)}]", nameof(videos));
        long trained = options.CropFrames > 0 ? Math.Min(options.CropFrames, videos.shape[2]) : videos.shape[2];
        if ((trained - 1) % vae.FrameStep != 0)
            throw new ArgumentException($"frames ({trained}) must be 1 + {vae.FrameStep}k for this VAE (read fewer frames per clip or set crop_frames)", "frames");
        _videos = videos.DetachFromDisposeScope();
        SavedModules = new Dictionary<string, nn.Module> { ["vae"] = vae.Module };
        Groups = [new ScheduledGroup(new OptimizerGroup("vae", ParamGroups.Trainable(vae.Module), 0.0, 1.0), options.LearningRate, options.WarmupSteps, LrScheduleKind.Cosine)];
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, nn.Module> SavedModules { get; }

    /// <inheritdoc />
    public IReadOnlyList<ScheduledGroup> Groups { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> ForwardBackward(int step)
    {
        _vae.Module.train();
        using var g = StepRandom.For(_o.Seed, step);
        // Draws for the global batch, then this rank's share (the run does not depend on the number of ranks).
        var idx = _shard.Take(HostRandom.Randint(0L, _videos.shape[0], [_o.BatchSize], g, _videos.device));   // the clips' own memory
        var x = _videos.index_select(0, idx).to(_vae.Module.parameters().First().device);   // the clips stay in CPU memory; a batch moves
        long frames = x.shape[2];
        if (_o.CropFrames > 0 && _o.CropFrames < frames)
        {
            long start = HostRandom.Randint(0L, frames - _o.CropFrames + 1, [1], g, CPU).item<long>();
            x = x.narrow(2, start, _o.CropFrames);
        }
        using var posterior = _vae.Encode(x);
        var noise = _shard.Take(HostRandom.Randn([_o.BatchSize, .. posterior.Mean.shape[1..]], g, x.device));   // CPU generator: same draws on every device
        var z = posterior.Mean.add(posterior.Std() * noise, Sc(1));
        var recon = _vae.DecodeForLoss(z);
        var mse = (recon - x).pow(Sc(2)).mean();
        var kl = (posterior.Mean.pow(Sc(2)).add(posterior.LogVar.exp(), Sc(1)) - Sc(1) - posterior.LogVar).mul(Sc(0.5)).mean();
        var loss = mse.add(Sc(_o.KlWeight) * kl * Sc(x.NumberOfElements / (double)z.NumberOfElements), Sc(1));
        loss.backward();
        return new Dictionary<string, double> { ["loss"] = loss.item<float>(), ["mse"] = mse.item<float>(), ["kl"] = kl.item<float>() };
    }
}
