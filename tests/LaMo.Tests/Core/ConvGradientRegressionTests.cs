using System.Diagnostics;
using LaMo.Core;
using LaMo.Motion;
using Xunit;

namespace LaMo.Tests.Core;

/// <summary>The oneDNN fault (docs/numerics.md): fp32 conv input gradients against float64 for output channels around
/// the ISA blocks, batch 2, repeatedly, in this process and in child processes with 1 and 2 threads. On a CPU without
/// the fault these pass trivially; on an AVX-512 CPU they fail without <see cref="SafeConv"/>.</summary>
public sealed class ConvGradientRegressionTests
{
    public static TheoryData<ConvNumericsCheck.Op, int> Cases()
    {
        var data = new TheoryData<ConvNumericsCheck.Op, int>();
        foreach (var op in Enum.GetValues<ConvNumericsCheck.Op>())
            foreach (int cout in ConvNumericsCheck.OutChannels) data.Add(op, cout);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LibraryConvInputGradient_MatchesFloat64_OnRepeatedRuns(ConvNumericsCheck.Op op, int outChannels)
    {
        for (int seed = 0; seed < 8; seed++)
        {
            double err = ConvNumericsCheck.RelativeError(op, outChannels, safe: true, batch: 2 + seed % 2, seed: seed);
            Assert.True(err <= ConvNumericsCheck.Tolerance, $"{op}, Cout {outChannels}, seed {seed}: relative error {err:0.0e0}");
        }
    }

    [Fact]
    public void MotionPrior_ForwardAndBackward_MatchFloat64()
    {
        for (int seed = 0; seed < 3; seed++)
        {
            double err = PredictorNumericsCheck.WorstRelativeError(batch: 4, seed: seed);
            Assert.True(err <= PredictorNumericsCheck.Tolerance, $"seed {seed}: relative error {err:0.0e0}");
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void DoctorNumerics_PassesWithOneAndTwoThreads_AndPrintsNoNativeWarnings(string threads)
    {
        var (code, output) = Doctor(new() { ["OMP_NUM_THREADS"] = threads });
        Assert.True(code == 0, output);
        Assert.Contains(": ok;", output);
        Assert.DoesNotContain("NNPACK", output);
    }

    /// <summary>Shows the check can fail: with the fix switched off, doctor exits 1 exactly where the CPU has the fault
    /// (judged in the same child, with one thread, where the fault is deterministic).</summary>
    [Fact]
    public void DoctorNumerics_WithoutTheFix_FailsWhereTheCpuHasTheFault()
    {
        var (code, output) = Doctor(new() { [OneDnnWorkaround.Variable] = "none", ["OMP_NUM_THREADS"] = "1" });
        bool cpuHasFault = output.Contains("faulty on this CPU", StringComparison.Ordinal);
        Assert.True(cpuHasFault || output.Contains("right on this CPU", StringComparison.Ordinal), output);
        if (cpuHasFault) Assert.True(code == 1 && output.Contains("WRONG"), output);
        else Assert.True(code == 0, output);
    }

    private static (int Code, string Output) Doctor(Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RelyKit.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LaMo.Cli.dll"));
        psi.ArgumentList.Add("doctor");
        psi.ArgumentList.Add("--numerics");
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "lamo doctor --numerics did not finish");
        return (p.ExitCode, stdout + stderr.Result);
    }
}
