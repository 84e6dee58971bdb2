using LaMo.Core;

namespace LaMo.Training;

/// <summary>Bounds on the training options' sizes (the memory estimate judges the rest).</summary>
public static class TrainingLimits
{
    /// <summary>Refuses absurd sizes in the backbone training options.</summary>
    public static BackboneTrainingOptions Check(BackboneTrainingOptions o)
    {
        ResourceLimits.Bound("options", "batch_size", o.BatchSize, ResourceLimits.MaxBatchSize);
        if (o.LoraRank is { } rank) ResourceLimits.Bound("options", "lora_rank", rank, ResourceLimits.MaxLoraRank);
        return o;
    }

    /// <summary>Refuses absurd sizes in the predictor training options.</summary>
    public static PredictorTrainingOptions Check(PredictorTrainingOptions o)
    {
        ResourceLimits.Bound("options", "batch_size", o.BatchSize, ResourceLimits.MaxBatchSize);
        return o;
    }
}
