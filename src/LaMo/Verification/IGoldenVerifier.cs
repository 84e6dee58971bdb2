namespace LaMo.Verification;

/// <summary>Reproduces one family of reference cases (e.g. the VAE) from the case's own config and inputs.</summary>
/// <remarks>Adding a family means adding one class here and listing it in <see cref="GoldenVerifiers.All"/>, which
/// dispatches on <see cref="GoldenCase.Name"/>.</remarks>
public interface IGoldenVerifier
{
    /// <summary>True when this verifier reproduces cases named <paramref name="caseName"/>.</summary>
    bool Handles(string caseName);

    /// <summary>Builds everything from the case's sidecar and tensors and compares every output it covers.</summary>
    IEnumerable<VerifyResult> Verify(GoldenCase golden);
}
