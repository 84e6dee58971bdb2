using LaMo.Training;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Training;

/// <summary>A new training run never mixes into an earlier one in the same folder.</summary>
[Collection("Torch")]
public sealed class RunFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-runfolder-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void TrainIntoAFolderHoldingARun_IsRefusedAndChangesNothing_ResumeContinues()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        BackboneTrainingOptions O(int steps, bool resume) => new()
        {
            Cache = cache, Out = Path.Combine(_dir, "run"), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
            Steps = steps, BatchSize = 2, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 1, Resume = resume,
        };
        BackboneWorkflow.Run(O(2, false));
        string metrics = File.ReadAllText(Path.Combine(_dir, "run", "metrics.csv"));
        var checkpoints = Directory.GetDirectories(Path.Combine(_dir, "run", "checkpoints")).Order().ToArray();

        var e = Assert.Throws<IOException>(() => BackboneWorkflow.Run(O(3, false)));
        Assert.Contains(Path.Combine(_dir, "run"), e.Message);
        Assert.Contains("--resume", e.Message);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(_dir, "run", "metrics.csv")));
        Assert.Equal(checkpoints, Directory.GetDirectories(Path.Combine(_dir, "run", "checkpoints")).Order().ToArray());

        var resumed = BackboneWorkflow.Run(O(3, true));
        Assert.Equal(3, resumed.FinalStep);
    }
}
