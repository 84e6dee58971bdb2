using LaMo.Motion;
using LaMo.Verification;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class MotionPriorTests
{
    [Fact]
    public void GoldenPredictorForward_AllOutputsPass()
    {
        using var golden = GoldenFixture.Load("lamo_predictor_forward");
        using var scope = NewDisposeScope();
        var results = new PredictorForwardVerifier().Verify(golden).ToList();
        GoldenFixture.AssertAll(results);
        Assert.Equal(golden.Outputs.Count, results.Count);   // every reference output is covered
    }

    [Fact]
    public void FreshPrior_OutputsExactlyZero_ForAnyPrompt()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var prior = new MotionPrior(MotionPriorConfig.Tiny with { NumResBlocks = 1 });
        var z = randn(3, 4, 5, 6);
        Assert.Equal(0.0, prior.forward(z, randn(3, 32)).abs().max().item<float>());
        Assert.Equal(0.0, prior.forward(z, null).abs().max().item<float>());
    }

    [Fact]
    public void PaperConfig_Has10Point8MParameters_WithOriginalKeyNames()
    {
        using var scope = NewDisposeScope();
        var prior = new MotionPrior(MotionPriorConfig.Paper);
        long count = prior.parameters().Sum(p => p.numel());
        Assert.Equal(10_845_072, count);   // 8 × 1,280,320 (blocks) + 37,120 + 36,880 + 524,416 + 4,096
        var keys = prior.state_dict().Keys.ToHashSet();
        Assert.Contains("prompt_proj.weight", keys);
        Assert.Contains("null_prompt", keys);
        Assert.Contains("blocks.7.se.fc2.bias", keys);
        Assert.Contains("blocks.0.film.weight", keys);
        Assert.Contains("output_proj.bias", keys);
        Assert.Equal(MotionPriorFlops.ParameterCount(MotionPriorConfig.Paper), count);
    }

    [Fact]
    public void FreshPrior_Init_MatchesMethodPage()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var prior = new MotionPrior(MotionPriorConfig.Small with { PromptTextDim = 512 });
        var sd = prior.state_dict();
        double std = sd["prompt_proj.weight"].std().item<float>();
        Assert.InRange(std, 0.018, 0.022);
        Assert.Equal(0f, sd["prompt_proj.bias"].abs().max().item<float>());
        Assert.Equal(0f, sd["null_prompt"].abs().max().item<float>());
        Assert.Equal(0f, sd["blocks.3.film.weight"].abs().max().item<float>());
        Assert.Equal(1f, sd["blocks.2.gn1.weight"].min().item<float>());
        Assert.Equal(1f, sd["blocks.2.gn2.weight"].max().item<float>());
        Assert.Equal(0f, sd["blocks.1.gn2.bias"].abs().max().item<float>());
    }

    [Fact]
    public void Config_FromSidecar_AndRejectsUnknownKeysAndBadValues()
    {
        var c = MotionPriorConfig.FromJson("""{"in_channels":4,"hidden_channels":16,"num_res_blocks":2,"num_groups":8,"use_se":true,"use_prev_delta":false,"use_prompt_cond":true,"prompt_text_dim":16,"prompt_cond_dim":8}""");
        Assert.Equal(16, c.HiddenChannels);
        Assert.Equal(4, c.SeHiddenChannels);
        Assert.Equal(MotionPriorConfig.Paper, MotionPriorConfig.FromJson(MotionPriorConfig.Paper.ToJson()));
        Assert.Throws<InvalidDataException>(() => MotionPriorConfig.FromJson("""{"hidden":16}"""));
        Assert.Throws<ArgumentException>(() => (MotionPriorConfig.Tiny with { HiddenChannels = 12 }).Validate());
        Assert.Throws<ArgumentException>(() => (MotionPriorConfig.Tiny with { InChannels = 0 }).Validate());
    }

    [Fact]
    public void PrevDelta_AddsInputChannels_AndChangesOutput()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var prior = new MotionPrior(MotionPriorConfig.Tiny with { UsePrevDelta = true });
        using (no_grad()) foreach (var p in prior.parameters()) p.normal_(0, 0.3);
        var z = randn(2, 4, 4, 4);
        var a = prior.forward(z, null, null);
        var b = prior.forward(z, null, randn(2, 4, 4, 4));
        Assert.True((a - b).abs().max().item<float>() > 1e-4);
        Assert.Equal(8, prior.state_dict()["input_proj.weight"].shape[1]);
    }
}
