using LaMo.Models.CogVideoX;
using LaMo.Verification;
using Xunit;

namespace LaMo.Tests.Models.CogVideoX;

public sealed class CogVideoXTransformerGoldenTests
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
        Assert.Contains(results, r => r.Output == "sample");
        GoldenFixture.AssertAll(results);
    }

    [Theory]
    [InlineData("cogvideox_transformer_sincos_2b_style")]
    [InlineData("cogvideox_transformer_rope_5b_style")]
    public void Discovery_GoldenCase_FindsTransformerVerifier(string caseName) =>
        Assert.IsType<CogVideoXTransformerVerifier>(GoldenVerifiers.For(caseName));
}
