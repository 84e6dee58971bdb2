using LaMo.Models.CogVideoX;
using LaMo.Verification;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Models.CogVideoX;

public sealed class CogVideoXTransformerGoldenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cogvideox_transformer_sincos_2b_style")]
    [InlineData("cogvideox_transformer_rope_5b_style")]
    public void Verify_GoldenCase_AllOutputsWithinTolerance(string caseName)
    {
        using var golden = GoldenFixture.Load(caseName);
        var verifier = new CogVideoXTransformerVerifier();
        Assert.True(verifier.Handles(golden.Name));
        var results = verifier.Verify(golden).ToList();
        foreach (var r in results) output.WriteLine($"{r.Case}/{r.Output}: max abs {r.MaxAbsError:G3} (atol {r.Atol:G3}) {r.Detail}");
        Assert.Contains(results, r => r.Output == "sample");
        GoldenFixture.AssertAll(results);
    }

    [Theory]
    [InlineData("cogvideox_transformer_sincos_2b_style")]
    [InlineData("cogvideox_transformer_rope_5b_style")]
    public void Discovery_GoldenCase_FindsTransformerVerifier(string caseName) =>
        Assert.IsType<CogVideoXTransformerVerifier>(GoldenVerifiers.For(caseName));
}
