using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Models.WanVae;

public sealed class WanVaeGoldenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("wan_vae_2_1")]
    [InlineData("wan_vae_2_2")]
    public void Verifier_GoldenCase_AllOutputsWithinTolerance(string caseName)
    {
        using var golden = GoldenFixture.Load(caseName);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var results = new WanVaeVerifier().Verify(golden).ToList();
        foreach (var r in results) output.WriteLine($"{r.Output}: max {r.MaxAbsError:G3} (atol {r.Atol:G3}) {(r.Passed ? "ok" : "FAIL " + r.Detail)}");
        // Every output of the case is reproduced, the per-chunk intermediates included.
        Assert.Equal(golden.Outputs.Count, results.Count);
        Assert.Contains(results, r => r.Output == "pipeline_decode_l3.video_pt");
        Assert.Contains(results, r => r.Output == "encode_f9.latent_std");
        GoldenFixture.AssertAll(results);
    }

    [Fact]
    public void Verifier_Discovered_HandlesOnlyWanVaeCases()
    {
        Assert.IsType<WanVaeVerifier>(GoldenVerifiers.For("wan_vae_2_1"));
        Assert.IsType<WanVaeVerifier>(GoldenVerifiers.For("wan_vae_2_2"));
        Assert.False(new WanVaeVerifier().Handles("cogvideox_vae"));
        Assert.False(new WanVaeVerifier().Handles("wan_transformer_2_1_style"));
    }
}
