using LaMo.Verification;
using LaMo.Models.CogVideoXVae;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Models.CogVideoXVae;

public sealed class CogVideoXVaeGoldenTests(ITestOutputHelper output)
{
    [Fact]
    public void Verifier_GoldenCase_AllOutputsWithinTolerance()
    {
        using var golden = GoldenFixture.Load("cogvideox_vae");
        using var scope = TorchSharp.torch.NewDisposeScope();
        var results = new CogVideoXVaeVerifier().Verify(golden).ToList();
        foreach (var r in results) output.WriteLine($"{r.Output}: max {r.MaxAbsError:G3} (atol {r.Atol:G3}) {(r.Passed ? "ok" : "FAIL " + r.Detail)}");
        // Every final output of the case is covered, plus the 11 intermediates.
        Assert.Contains(results, r => r.Output == "encode_f17.latent_logvar");
        Assert.Contains(results, r => r.Output == "decode_l5.sample");
        Assert.Equal(golden.Outputs.Count, results.Count);
        GoldenFixture.AssertAll(results);
    }

    [Fact]
    public void Verifier_Discovered_HandlesOnlyVaeCase()
    {
        var v = LaMo.Verification.GoldenVerifiers.For("cogvideox_vae");
        Assert.IsType<CogVideoXVaeVerifier>(v);
        Assert.False(new CogVideoXVaeVerifier().Handles("cogvideox_ddim_scheduler"));
    }
}
