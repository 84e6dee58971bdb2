using LaMo.Experiment;
using LaMo.Motion;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Experiment;

[Collection("Torch")]
public sealed class ContinuationSamplerTests
{
    [Fact]
    public void Generate_SameSeedWithGuidance_IsDeterministicAndKeepsGivenFrames()
    {
        var models = StudyModels.Discover(MiniatureModels.Folder);
        var pair = models.Pairs[0];
        var clip = StudyWorld.Generate(new StudyOptions { Size = 32, Frames = 9, Splits = ["test-id"], ClipsPerCoreScenario = 1, ClipsPerExtendedScenario = 0 })[0];
        using var pipe = SampleWorkflow.Load(new SampleOptions(models.Base, ["-"], [0], "", Lora: pair.LamoLora));
        using var prior = MotionPriorFolder.Load(pair.LamoPredictor);
        using var gt = ContinuationSampler.Encode(pipe, clip.Render());
        Continuation Once(long seed) => ContinuationSampler.Generate(pipe, clip.World, gt, StudyVariant.Parse("lamo").CreateGuidance(prior, MotionPriorGuidanceOptions.Default, StudyVariant.FlowMoFor(2)),
            seed, steps: 2, cfg: 6, givenFrames: 5, keepLatents: true);
        var a = Once(7);
        var b = Once(7);
        var c = Once(8);
        Assert.Equal(a.Video.Data, b.Video.Data);
        Assert.NotEqual(a.Video.Data, c.Video.Data);
        Assert.Equal(clip.World.Render.Frames, a.Video.Count);
        // The given latent frames (5 RGB frames → 2 latent frames) end up exactly as encoded.
        Assert.True(a.Latents!.narrow(1, 0, 2).allclose(gt.narrow(1, 0, 2), 0, 0));
        foreach (var r in new[] { a, b, c }) r.Latents!.Dispose();
    }
}
