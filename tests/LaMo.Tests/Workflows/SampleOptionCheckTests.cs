using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary><c>lamo sample</c> refuses guidance settings given without <c>--guidance</c> (they would be ignored).</summary>
public sealed class SampleOptionCheckTests
{
    [Theory]
    [InlineData("--lambda", "5")]
    [InlineData("--rho", "0.5")]
    [InlineData("--predictor", "some/predictor")]
    public void GuidanceSetting_WithoutGuidance_IsRefusedInOneLine(string option, string value)
    {
        string dir = Directory.CreateTempSubdirectory("lamo-sample-opt-").FullName;
        try
        {
            var (rc, _, err) = RelyKit.Cli("sample", "--pipeline", Path.Combine(dir, "no-pipeline"), "--prompt", "a ball", option, value, "--out", Path.Combine(dir, "out"));
            Assert.NotEqual(0, rc);
            Assert.Contains("add --guidance", err);
            Assert.Single(err.Trim().Split('\n'));
            Assert.False(Directory.Exists(Path.Combine(dir, "out")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
