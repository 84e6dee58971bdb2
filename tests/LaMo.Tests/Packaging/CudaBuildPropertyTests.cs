using System.Diagnostics;
using System.Text.Json.Nodes;
using LaMo.Tests.Distributed;
using Xunit;

namespace LaMo.Tests.Packaging;

/// <summary><c>-p:LaMoCuda=true</c> swaps LibTorch's CPU build for the CUDA 12.8 one (docs/packaging.md). The CUDA
/// package is not served here, so this checks what MSBuild evaluates (no restore): the default keeps the CPU package,
/// the property gives the CUDA one, and TorchSharp's managed binding stays the same in both.</summary>
public sealed class CudaBuildPropertyTests
{
    [Fact]
    public void DefaultBuild_ReferencesCpuLibTorch()
    {
        var refs = EvaluatedPackageReferences(cuda: false);
        Assert.Equal("0.107.0", refs["TorchSharp"]);
        Assert.Equal("2.10.0", refs["libtorch-cpu-linux-x64"]);
        Assert.DoesNotContain(refs.Keys, k => k.Contains("cuda", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void LaMoCudaProperty_ReferencesCudaLibTorch()
    {
        var refs = EvaluatedPackageReferences(cuda: true);
        Assert.Equal("0.107.0", refs["TorchSharp"]);
        Assert.Equal("2.10.0", refs["libtorch-cuda-12.8-linux-x64"]);
        Assert.DoesNotContain(refs.Keys, k => k.Contains("libtorch-cpu", StringComparison.OrdinalIgnoreCase));
    }

    // The library's PackageReference items with their central versions (Directory.Packages.props), as MSBuild evaluates them.
    private static Dictionary<string, string> EvaluatedPackageReferences(bool cuda)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args = ["msbuild", Path.Combine(MpiDriverRunner.RepoRoot, "src", "LaMo", "LaMo.csproj"), "-nologo",
            "-getItem:PackageReference", "-getItem:PackageVersion"];
        foreach (var a in cuda ? [.. args, "-p:LaMoCuda=true"] : args) psi.ArgumentList.Add(a);
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"dotnet msbuild exited {p.ExitCode}: {json}{stderr.Result}");
        var items = JsonNode.Parse(json)!["Items"]!;
        var versions = items["PackageVersion"]!.AsArray().ToDictionary(i => (string)i!["Identity"]!, i => (string)i!["Version"]!);
        return items["PackageReference"]!.AsArray().Select(i => (string)i!["Identity"]!)
            .ToDictionary(id => id, id => versions.GetValueOrDefault(id, "(no central version)"));
    }
}
