using LaMo.Verification;
using Xunit;

namespace LaMo.Tests;

/// <summary>Loads the repo's copy of the golden vectors and asserts comparisons with a useful message.</summary>
public static class GoldenFixture
{
    /// <summary>Folder holding the copied vectors (next to the test assembly).</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Golden");

    public static GoldenCase Load(string caseName) => GoldenCase.Load(Path.Combine(Folder, caseName + ".json"));

    /// <summary>Asserts one output of <paramref name="golden"/> equals <paramref name="actual"/> within tolerance.</summary>
    public static void AssertClose(GoldenCase golden, string output, TorchSharp.torch.Tensor actual, double? atol = null)
    {
        var r = golden.Compare(output, actual, atol);
        Assert.True(r.Passed, $"{r.Case}/{r.Output}: max abs error {r.MaxAbsError:G3} > atol {r.Atol:G3}; {r.Detail}");
    }

    public static void AssertAll(IEnumerable<VerifyResult> results)
    {
        var list = results.ToList();
        Assert.NotEmpty(list);
        var failed = list.Where(r => !r.Passed).Select(r => $"{r.Output}: {r.MaxAbsError:G3} > {r.Atol:G3} ({r.Detail})").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }
}
