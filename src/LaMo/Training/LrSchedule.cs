namespace LaMo.Training;

/// <summary>Shape of the learning-rate schedule after warm-up.</summary>
public enum LrScheduleKind
{
    /// <summary>Linear warm-up, then constant (CogVideoX LoRA fine-tuning in the paper).</summary>
    Constant,
    /// <summary>Linear warm-up, then cosine decay to zero at the last step (the LaMo predictor).</summary>
    Cosine,
}

/// <summary>Learning-rate schedules as pure functions of the step.</summary>
public static class LrSchedule
{
    /// <summary>The learning rate for 0-based <paramref name="step"/>: linear warm-up over <paramref name="warmupSteps"/>
    /// (step 0 gets base/warmup, as diffusers' schedulers do), then constant or cosine to 0 at <paramref name="totalSteps"/>.</summary>
    public static double At(int step, LrScheduleKind kind, double baseLr, int warmupSteps, int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (warmupSteps > 0 && step < warmupSteps) return baseLr * (step + 1) / warmupSteps;
        if (kind == LrScheduleKind.Constant) return baseLr;
        double progress = totalSteps <= warmupSteps ? 1 : Math.Min(1.0, (double)(step - warmupSteps) / (totalSteps - warmupSteps));
        return baseLr * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
