namespace LaMo.Training;

/// <summary>What to do when a loss or gradient is NaN/Inf.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<NanPolicy>))]
public enum NanPolicy
{
    /// <summary>Skip the update, count it, and go on (stop after <see cref="TrainingLoopOptions.MaxSkippedSteps"/>).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("skip")] Skip,
    /// <summary>Stop at once, naming the step and the last good checkpoint.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("stop")] Stop,
}

/// <summary>Options of the generic loop (everything model-specific lives in the task).</summary>
/// <param name="RunFolder">Where run.json, metrics.csv, tb/, checkpoints/ and loss.png go.</param>
/// <param name="TotalSteps">Steps to train.</param>
/// <param name="LogEvery">Metrics row and console line interval.</param>
/// <param name="CheckpointEvery">Checkpoint interval (a final checkpoint is always written).</param>
/// <param name="Resume">Continue from the run folder's latest checkpoint when there is one.</param>
/// <param name="Nan">NaN/Inf handling.</param>
/// <param name="MaxSkippedSteps">With <see cref="NanPolicy.Skip"/>, stop after this many skipped steps.</param>
/// <param name="KeepCheckpoints">Complete checkpoints kept on disk.</param>
/// <param name="Overwrite">Replace an earlier run in <paramref name="RunFolder"/> (refused otherwise, unless resuming).</param>
/// <param name="ResumeFrom">Resume from this checkpoint (<c>step-N</c> or <c>N</c>) instead of the newest intact one;
/// implies <paramref name="Resume"/>.</param>
public sealed record TrainingLoopOptions(string RunFolder, int TotalSteps, int LogEvery = TrainingLoopOptions.DefaultLogEvery,
    int CheckpointEvery = TrainingLoopOptions.DefaultCheckpointEvery, bool Resume = false, NanPolicy Nan = NanPolicy.Skip,
    int MaxSkippedSteps = 20, int KeepCheckpoints = 2, bool Overwrite = false, string? ResumeFrom = null)
{
    /// <summary>True when the run continues from a checkpoint (<see cref="Resume"/> or <see cref="ResumeFrom"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool Resumes => Resume || ResumeFrom is not null;

    /// <summary>The one default metrics interval of every training command.</summary>
    public const int DefaultLogEvery = 10;

    /// <summary>The one default checkpoint interval of every training command.</summary>
    public const int DefaultCheckpointEvery = 200;

    /// <summary><c>skip</c> or <c>stop</c> (the options' spelling) as a policy.</summary>
    /// <exception cref="ArgumentException">Another word (names <c>nan_policy</c>).</exception>
    public static NanPolicy ParseNanPolicy(string word) => word switch
    {
        "skip" => NanPolicy.Skip,
        "stop" => NanPolicy.Stop,
        _ => throw new ArgumentException($"nan_policy ('{word}') must be 'skip' or 'stop'", "nan_policy"),
    };

    /// <summary>Checks ranges; names the bad field.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TotalSteps, "total_steps");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LogEvery, "log_every");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CheckpointEvery, "checkpoint_every");
        ArgumentOutOfRangeException.ThrowIfNegative(MaxSkippedSteps, "max_skipped_steps");
        if (Overwrite && Resumes) throw new ArgumentException("overwrite replaces the run and resume continues it: choose one", "overwrite");
    }
}

/// <summary>One progress report of the loop.</summary>
/// <param name="Notice">A line for the user about the run itself (e.g. which checkpoint it resumed from), or null.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, IReadOnlyDictionary<string, double> Metrics, double SecondsPerStep,
    string? Notice = null);

/// <summary>How a run ended.</summary>
/// <param name="FinalStep">Steps completed.</param>
/// <param name="Interrupted">Stopped by cancellation (SIGINT/SIGTERM) after writing a checkpoint.</param>
/// <param name="SkippedSteps">Updates skipped for NaN/Inf.</param>
/// <param name="LastCheckpoint">Folder of the last checkpoint written.</param>
/// <param name="History">Metrics of every step run in this process (step → values).</param>
public sealed record TrainingResult(int FinalStep, bool Interrupted, int SkippedSteps, string? LastCheckpoint,
    IReadOnlyList<(int Step, IReadOnlyDictionary<string, double> Metrics)> History);
