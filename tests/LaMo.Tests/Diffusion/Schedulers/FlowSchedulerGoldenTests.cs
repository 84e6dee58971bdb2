using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Schedulers;

/// <summary>The Wan flow cases (diffusers v0.40) reproduce within their sidecar tolerances, through the verifiers
/// <c>lamo verify</c> runs.</summary>
public class FlowSchedulerGoldenTests(ITestOutputHelper output)
{
    private void Run(IGoldenVerifier verifier, string caseName, int expected)
    {
        using var scope = NewDisposeScope();
        using var golden = GoldenFixture.Load(caseName);
        var results = verifier.Verify(golden).ToList();
        foreach (var r in results) output.WriteLine($"{r.Output}: max {r.MaxAbsError:G3} (atol {r.Atol:G3}) {(r.Passed ? "ok" : "FAIL")}");
        Assert.Equal(expected, results.Count);
        GoldenFixture.AssertAll(results);
    }

    [Fact]
    public void FlowMatchEuler_Golden_AllOutputsPass() => Run(new WanFlowMatchEulerSchedulerVerifier(), "wan_flow_match_euler_scheduler", 20);

    // 8 schedule tables + 14 chain samples + 14 x̂₀ + 14 orders (intermediates) + 2 add_noise.
    [Fact]
    public void UniPC_Golden_AllOutputsAndIntermediatesPass() => Run(new WanUniPCSchedulerVerifier(), "wan_unipc_flow_scheduler", 52);

    [Fact]
    public void FlowConventions_Golden_AllOutputsPass() => Run(new WanFlowConventionsVerifier(), "wan_flow_conventions", 31);

    [Theory]
    [InlineData("wan_flow_match_euler_scheduler", typeof(WanFlowMatchEulerSchedulerVerifier), 20)]
    [InlineData("wan_unipc_flow_scheduler", typeof(WanUniPCSchedulerVerifier), 52)]
    [InlineData("wan_flow_conventions", typeof(WanFlowConventionsVerifier), 31)]
    public void RunCase_FlowGoldenFile_IsDiscoveredAndPassesLikeLamoVerify(string caseName, Type verifier, int outputs)
    {
        Assert.IsType(verifier, GoldenVerifiers.For(caseName));
        var results = GoldenVerifiers.RunCase(Path.Combine(GoldenFixture.Folder, caseName + ".json"));
        Assert.Equal(outputs, results.Count);
        GoldenFixture.AssertAll(results);
    }
}
