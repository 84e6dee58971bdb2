using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Motion;

[Collection("Torch")]
public class MotionVerifierDiscoveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("lamo_predictor_forward")]
    [InlineData("lamo_predictor_loss")]
    [InlineData("lamo_motion_drift_loss")]
    [InlineData("lamo_motion_prior_guidance")]
    public void LamoVerify_DiscoversAndPassesCase(string caseName)
    {
        var results = GoldenVerifiers.RunCase(Path.Combine(GoldenFixture.Folder, caseName + ".json"));
        foreach (var r in results) output.WriteLine($"{r.Output}: max abs err {r.MaxAbsError:G3} (atol {r.Atol:G2}) {(r.Passed ? "ok" : "FAIL")}");
        GoldenFixture.AssertAll(results);
        Assert.Single(GoldenVerifiers.All, v => v.Handles(caseName));
    }
}
