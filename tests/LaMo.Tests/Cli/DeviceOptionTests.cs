using LaMo.Core;
using Xunit;

namespace LaMo.Tests.Cli;

/// <summary><c>--device</c>: one option on every command that computes; on this CPU build <c>cuda</c> is refused up front
/// in one line that says how to get a CUDA build (exit 2, a usage error), and a misspelt device is refused by name.</summary>
public sealed class DeviceOptionTests
{
    public static TheoryData<string[]> ComputingCommands() => new()
    {
        new[] { "sample", "--pipeline", "nowhere", "--out", "nowhere-out", "--prompt", "a ball" },
        new[] { "train", "--cache", "nowhere", "--out", "nowhere-out" },
        new[] { "prior", "train", "--cache", "nowhere", "--out", "nowhere-out" },
        new[] { "vae", "train", "--data", "nowhere", "--out", "nowhere-out" },
        new[] { "encode", "--data", "nowhere", "--pipeline", "nowhere", "--out", "nowhere-out" },
        new[] { "demo", "--out", "nowhere-out" },
        new[] { "experiment", "--out", "nowhere-out" },
    };

    [Theory]
    [MemberData(nameof(ComputingCommands))]
    public void Cuda_OnTheCpuBuild_IsOneClearLine_Exit2(string[] command)
    {
        Assert.False(TorchSharp.torch.cuda.is_available());   // this build carries the CPU LibTorch
        var (rc, output, err) = RelyKit.Cli([.. command, "--device", "cuda"]);
        Assert.Equal(2, rc);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Equal($"error: --device cuda: {ComputeDevice.NoCudaMessage}", lines[0].TrimEnd());
        Assert.Contains("-p:LaMoCuda=true", lines[0]);
        Assert.Contains("docs/gpu.md", lines[0]);
        Assert.False(Directory.Exists("nowhere-out"));                // refused before anything was made
        Assert.DoesNotContain("error", output);
    }

    [Fact]
    public void CudaWithAnIndex_IsRefusedTheSameWay()
    {
        var (rc, _, err) = RelyKit.Cli("sample", "--pipeline", "nowhere", "--out", "nowhere-out", "--prompt", "a", "--device", "cuda:1");
        Assert.Equal(2, rc);
        Assert.Contains("--device cuda:1: this build of LaMo has no CUDA", err);
    }

    [Fact]
    public void AMisspeltDevice_IsRefusedByName()
    {
        var (rc, _, err) = RelyKit.Cli("sample", "--pipeline", "nowhere", "--out", "nowhere-out", "--prompt", "a", "--device", "gpu");
        Assert.Equal(2, rc);
        Assert.Contains("--device 'gpu' must be cpu, cuda or cuda:N", err);
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CUDA", "cuda")]
    [InlineData("cuda:3", "cuda:3")]
    public void Parse_ReadsTheThreeSpellings(string text, string expected)
    {
        var (type, index) = ComputeDevice.Parse(text);
        Assert.Equal(expected, index < 0 ? type.ToString().ToLowerInvariant() : $"{type.ToString().ToLowerInvariant()}:{index}");
    }

    [Theory]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("mps")]
    [InlineData("")]
    public void Parse_RefusesOtherSpellings(string text) => Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(text));

    [Fact]
    public void Cpu_ResolvesWithoutAsking()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, ComputeDevice.Resolve("cpu").type);
        Assert.Throws<DeviceNotAvailableException>(() => ComputeDevice.Resolve("cuda"));
    }
}
