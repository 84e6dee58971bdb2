using LaMo.Cli;
using LaMo.Training;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>Interrupting <c>lamo train</c> (LoRA + drift loss + joint predictor) and resuming reproduces the
/// uninterrupted run's losses exactly.</summary>
[Collection(nameof(SerialCollection))]   // compares runs seeded through the global generator
public sealed class TrainResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-resume-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    private sealed class StopAt(int step, CancellationTokenSource cts) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p) { if (p.Step == step) cts.Cancel(); }
    }

    [Fact]
    public void InterruptedLamoFineTune_ResumesToIdenticalLosses()
    {
        RelyKit.EncodedWorld(_dir, worldSeed: 5);

        BackboneTrainingOptions Options(string run, bool resume) => new()
        {
            Cache = P("cache"), Out = P(run), Init = P("base"), Mode = "lora", DriftLoss = true, Predictor = true,
            PredictorConfig = "tiny", Steps = 6, BatchSize = 2, WarmupSteps = 1, PredictorWarmupSteps = 1,
            CheckpointEvery = 2, LogEvery = 1, Resume = resume,
        };
        var straight = BackboneWorkflow.Run(Options("straight", false));
        using (var cts = new CancellationTokenSource())
        {
            var first = BackboneWorkflow.Run(Options("split", false), new StopAt(3, cts), cts.Token);
            Assert.True(first.Interrupted);
        }
        var resumed = BackboneWorkflow.Run(Options("split", true));
        Assert.Equal(3, resumed.History[0].Step);
        foreach (var (step, metrics) in resumed.History)
        {
            var expected = straight.History.Single(h => h.Step == step).Metrics;
            foreach (var key in new[] { "loss", "denoise", "drift", "prior" })
                Assert.True(expected[key] == metrics[key], $"step {step} {key}: straight {expected[key]} vs resumed {metrics[key]}");
        }
    }
}
