using LaMo.Core;
using LaMo.Models.Wan;
using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Wan;

public sealed class WanTransformerGoldenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("wan_transformer_2_1_style", "sample_float_timestep")]
    [InlineData("wan_transformer_2_2_ti2v_style", "sample_per_sample_timestep")]
    public void Verify_GoldenCase_AllOutputsWithinTolerance(string caseName, string secondCall)
    {
        using var golden = GoldenFixture.Load(caseName);
        var verifier = new WanTransformerVerifier();
        Assert.True(verifier.Handles(golden.Name));
        var results = verifier.Verify(golden).ToList();
        foreach (var r in results) output.WriteLine($"{r.Case}/{r.Output}: max abs {r.MaxAbsError:G3} (atol {r.Atol:G3}) {r.Detail}");
        Assert.Contains(results, r => r.Output == "sample");
        Assert.Contains(results, r => r.Output == secondCall);
        Assert.Contains(results, r => r.Output == "intermediate.rope.freqs_cos");
        Assert.Contains(results, r => r.Output == "intermediate.blocks.1");
        // Every recorded output is compared: sample, the second call and each intermediate.
        Assert.Equal(golden.Outputs.Count, results.Count);
        GoldenFixture.AssertAll(results);
    }

    [Theory]
    [InlineData("wan_transformer_2_1_style")]
    [InlineData("wan_transformer_2_2_ti2v_style")]
    public void Discovery_GoldenCase_FindsTransformerVerifier(string caseName) =>
        Assert.IsType<WanTransformerVerifier>(GoldenVerifiers.For(caseName));

    /// <summary>The comparison can fail: the same case with one block weight nudged by 1e-3 misses the reference.</summary>
    [Theory]
    [InlineData("wan_transformer_2_1_style", "blocks.1.attn2.norm_k.weight")]
    [InlineData("wan_transformer_2_2_ti2v_style", "blocks.0.ffn.net.2.bias")]
    public void Verify_PerturbedWeight_FailsSample(string caseName, string weight)
    {
        using var golden = GoldenFixture.Load(caseName);
        var config = WanTransformerConfig.FromJsonElement(golden.Config);
        using var model = new WanTransformer3DModel(config);
        model.eval();
        StateDictLoader.Load(model, golden.Weights, LoadOptions.Default, golden.Name);
        using (no_grad()) model.state_dict()[weight].add_(KeptScalars.Sc(1e-3));
        using var sample = WithoutGrad(() => model.forward(golden.Inputs["hidden_states"], golden.Inputs["timestep"], golden.Inputs["encoder_hidden_states"]));
        var r = golden.Compare("sample", sample);
        output.WriteLine($"perturbed {weight}: max abs {r.MaxAbsError:G3}");
        Assert.False(r.Passed);
    }

    /// <summary>The per-token form is not the per-sample form: frame-0 tokens at t = 0 change the output.</summary>
    [Fact]
    public void PerTokenTimesteps_DifferFromPerSample()
    {
        using var golden = GoldenFixture.Load("wan_transformer_2_2_ti2v_style");
        var r = golden.Compare("sample", golden.Outputs["sample_per_sample_timestep"]);
        Assert.False(r.Passed);
    }

    private static Tensor WithoutGrad(Func<Tensor> f)
    {
        using var _ = no_grad();
        return f();
    }
}
