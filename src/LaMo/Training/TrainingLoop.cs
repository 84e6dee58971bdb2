using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>The one training loop (nanoGPT-style, top to bottom): resume, step, guard against NaN, clip per group,
/// update, log, checkpoint atomically, stop cleanly on cancellation.</summary>
public sealed class TrainingLoop
{
    private readonly ITrainingTask _task;
    private readonly TrainingLoopOptions _options;
    private readonly JsonObject _config;
    private readonly IGradientSync? _sync;

    /// <summary>Creates a loop; <paramref name="config"/> (the resolved options of the whole run) is saved in run.json
    /// and in every checkpoint's state.json.</summary>
    /// <param name="sync">Data-parallel gradient averaging (e.g. over MPI); null for a single process.</param>
    public TrainingLoop(ITrainingTask task, TrainingLoopOptions options, JsonObject config, IGradientSync? sync = null)
    {
        options.Validate();
        _task = task; _options = options; _config = config; _sync = sync;
    }

    private bool IsRoot => _sync?.IsRoot ?? true;

    /// <summary>True when <paramref name="folder"/> has a run's run.json or checkpoints.</summary>
    public static bool HoldsARun(string folder) =>
        File.Exists(Path.Combine(folder, "run.json")) || Directory.Exists(Path.Combine(folder, "checkpoints"));

    /// <summary>Runs to <see cref="TrainingLoopOptions.TotalSteps"/> or until <paramref name="ct"/> is cancelled.</summary>
    /// <exception cref="InvalidOperationException">NaN/Inf with <see cref="NanPolicy.Stop"/>, or too many skipped steps.</exception>
    public TrainingResult Run(IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        // A new run never mixes into an earlier one. Rank 0 checks, before it writes anything; under MPI a failing rank
        // aborts the whole job, so the others do not wait for it.
        if (IsRoot) ClaimRunFolder(_options);
        // Only rank 0 writes in the run folder (run.json, metrics, TensorBoard, checkpoints, plot); the others only read.
        if (IsRoot) Directory.CreateDirectory(_options.RunFolder);
        var store = new CheckpointStore(_options.RunFolder, _options.KeepCheckpoints);
        using var optimizer = new NamedAdamW(_task.Groups.Select(g => g.Group).ToList());
        var metrics = new MetricsLog(_options.RunFolder);
        int start = 0, skipped = 0;
        string? lastCheckpoint = null;

        var (resumeFrom, damaged) = _options.Resumes ? store.ResumePoint(_options.ResumeFrom) : (null, []);
        if (resumeFrom is not null)
        {
            (start, skipped) = Restore(resumeFrom, optimizer);
            lastCheckpoint = resumeFrom;
            if (IsRoot) metrics.TruncateAfter(start);
            // Say which checkpoint, and why newer ones were passed over: the user should not have to guess.
            string passed = string.Join("; ", damaged.Select(d => $"{Path.GetFileName(d.Checkpoint)} is damaged ({d.Reason})"));
            progress?.Report(new TrainingProgress(start, _options.TotalSteps, new Dictionary<string, double>(), 0,
                $"resuming from {Path.GetFileName(resumeFrom)} (step {start}){(passed.Length > 0 ? "; " + passed : "")}"));
        }
        else if (IsRoot)
        {
            AtomicFile.WriteAllText(Path.Combine(_options.RunFolder, "run.json"), _config.ToJsonString(new() { WriteIndented = true }));
            metrics.Reset();
        }
        _sync?.BroadcastParameters(_task.Groups.SelectMany(g => g.Group.Parameters.Values));

        var history = new List<(int, IReadOnlyDictionary<string, double>)>();
        bool warnedDominance = false;
        var clock = Stopwatch.StartNew();
        int step = start;
        bool interrupted = false;
        for (; step < _options.TotalSteps; step++)
        {
            if (ct.IsCancellationRequested) { interrupted = true; break; }
            clock.Restart();
            IReadOnlyDictionary<string, double> losses;
            bool finite;
            string? nonFinite;
            using (var scope = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                losses = _task.ForwardBackward(step);
                if (_sync is not null)
                {
                    // Average gradients (and losses, for logging) over ranks before the NaN check and clipping.
                    _sync.AllReduceGradients(_task.Groups.SelectMany(g => g.Group.Parameters.Values));
                    losses = _sync.AverageScalars(losses);
                }
                nonFinite = losses.Where(kv => !double.IsFinite(kv.Value)).Select(kv => $"loss term {kv.Key} = {kv.Value}").FirstOrDefault()
                    ?? (optimizer.FirstNonFiniteGradient() is { } p ? $"gradient of {p}" : null);
                finite = nonFinite is null;
                if (finite)
                {
                    var norms = optimizer.ClipGradients();
                    var lrs = _task.Groups.ToDictionary(g => g.Group.Name,
                        g => LrSchedule.At(step, g.Schedule, g.LearningRate, g.WarmupSteps, _options.TotalSteps));
                    optimizer.Step(lrs);
                    var row = new Dictionary<string, double>(losses);
                    foreach (var (k, v) in lrs) row["lr_" + k] = v;
                    foreach (var (k, v) in norms) row["grad_norm_" + k] = v;
                    losses = row;
                }
            }
            if (!finite)
            {
                skipped++;
                string where = lastCheckpoint is null ? "no checkpoint yet" : $"last good checkpoint {lastCheckpoint}";
                if (_options.Nan == NanPolicy.Stop || skipped > _options.MaxSkippedSteps)
                    throw new InvalidOperationException($"non-finite {nonFinite} at step {step} ({skipped} skipped); {where}");
                // Say why the update was skipped, not only that it was.
                progress?.Report(new TrainingProgress(step, _options.TotalSteps, losses, 0, $"step {step + 1} skipped: non-finite {nonFinite} (nan_policy skip; {skipped} skipped so far)"));
                optimizer.ZeroGrad();
                continue;
            }
            double seconds = clock.Elapsed.TotalSeconds;
            history.Add((step, losses));
            if (!warnedDominance && LossBalance.Dominance(losses) is { } note)
            {
                warnedDominance = true;   // once per run: the metrics carry every term from here on
                progress?.Report(new TrainingProgress(step + 1, _options.TotalSteps, losses, seconds, note));
            }
            if (IsRoot && ((step + 1) % _options.LogEvery == 0 || step + 1 == _options.TotalSteps))
                metrics.Append(step + 1, losses, seconds, skipped);
            progress?.Report(new TrainingProgress(step + 1, _options.TotalSteps, losses, seconds));
            if (IsRoot && (step + 1) % _options.CheckpointEvery == 0 && step + 1 < _options.TotalSteps)
                lastCheckpoint = Save(store, step + 1, optimizer, skipped);
        }
        if (IsRoot && (step > start || lastCheckpoint is null)) lastCheckpoint = Save(store, step, optimizer, skipped);
        _sync?.Barrier();
        metrics.Close();
        if (IsRoot) metrics.PlotLoss(Path.Combine(_options.RunFolder, "loss.png"));
        return new TrainingResult(step, interrupted, skipped, lastCheckpoint, history);
    }

    /// <summary>Makes <see cref="TrainingLoopOptions.RunFolder"/> ready for the run, before anything is written: a folder
    /// holding an earlier run is refused unless the run resumes it, or replaced with <see cref="TrainingLoopOptions.Overwrite"/>.</summary>
    /// <exception cref="OutputExistsException">The folder holds a run and neither resume nor overwrite was asked for.</exception>
    public static void ClaimRunFolder(TrainingLoopOptions options)
    {
        if (options.Resumes || !HoldsARun(options.RunFolder)) return;
        if (!options.Overwrite)
            throw new OutputExistsException($"{options.RunFolder} already holds a training run (run.json or checkpoints/): pass --resume to continue it, --overwrite to replace it, or choose another output folder");
        Directory.Delete(options.RunFolder, recursive: true);
    }

    private string Save(CheckpointStore store, int step, NamedAdamW optimizer, int skipped)
    {
        var groups = _task.SavedModules.ToDictionary(kv => kv.Key, kv => StateDictLoader.StateDict(kv.Value));
        groups["optimizer"] = optimizer.StateDict();
        var state = new JsonObject
        {
            ["skipped_steps"] = skipped,
            ["saved_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["config"] = JsonNode.Parse(_config.ToJsonString()),
        };
        return store.Save(step, groups, state);
    }

    private (int Step, int Skipped) Restore(string checkpoint, NamedAdamW optimizer)
    {
        var state = CheckpointStore.ReadState(checkpoint);
        foreach (var (name, module) in _task.SavedModules)
        {
            var tensors = CheckpointStore.ReadGroup(checkpoint, name);
            StateDictLoader.Load(module, tensors, LoadOptions.Default, Path.Combine(checkpoint, name + ".safetensors"));
            foreach (var t in tensors.Values) t.Dispose();
        }
        var opt = CheckpointStore.ReadGroup(checkpoint, "optimizer");
        optimizer.LoadStateDict(opt, Path.Combine(checkpoint, "optimizer.safetensors"));
        foreach (var t in opt.Values) t.Dispose();
        return ((int)state["step"]!, (int?)state["skipped_steps"] ?? 0);
    }
}
