using LaMo.Diffusion.Schedulers;
using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Schedulers;

public class SchedulerGoldenTests(ITestOutputHelper output)
{
    private void Report(IReadOnlyList<VerifyResult> results)
    {
        foreach (var r in results) output.WriteLine($"{r.Output}: max {r.MaxAbsError:G3} (atol {r.Atol:G3}) {(r.Passed ? "ok" : "FAIL")}");
    }

    [Fact]
    public void DDIMVerifier_Golden_AllOutputsPass()
    {
        using var scope = NewDisposeScope();
        using var golden = GoldenFixture.Load("cogvideox_ddim_scheduler");
        var results = new CogVideoXDDIMSchedulerVerifier().Verify(golden).ToList();
        Report(results);
        Assert.Equal(golden.Outputs.Count, results.Count);
        GoldenFixture.AssertAll(results);
    }

    [Fact]
    public void DPMVerifier_Golden_AllOutputsPass()
    {
        using var scope = NewDisposeScope();
        using var golden = GoldenFixture.Load("cogvideox_dpm_scheduler");
        var results = new CogVideoXDPMSchedulerVerifier().Verify(golden).ToList();
        Report(results);
        Assert.Equal(golden.Outputs.Count, results.Count);
        GoldenFixture.AssertAll(results);
    }

    [Fact]
    public void GoldenVerifiers_SchedulerCases_AreDiscovered()
    {
        Assert.IsType<CogVideoXDDIMSchedulerVerifier>(GoldenVerifiers.For("cogvideox_ddim_scheduler"));
        Assert.IsType<CogVideoXDPMSchedulerVerifier>(GoldenVerifiers.For("cogvideox_dpm_scheduler"));
    }

    [Theory]
    [InlineData("cogvideox_ddim_scheduler", 22)]
    [InlineData("cogvideox_dpm_scheduler", 39)]
    public void RunCase_SchedulerGoldenFile_AllPassLikeLamoVerify(string caseName, int outputs)
    {
        var results = GoldenVerifiers.RunCase(Path.Combine(GoldenFixture.Folder, caseName + ".json"));
        Assert.Equal(outputs, results.Count);
        GoldenFixture.AssertAll(results);
    }
}
