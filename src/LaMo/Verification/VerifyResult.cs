namespace LaMo.Verification;

/// <summary>One output of one reference case compared with ours.</summary>
/// <param name="Case">Case name.</param>
/// <param name="Output">Output name (without the <c>outputs.</c> prefix).</param>
/// <param name="MaxAbsError">Largest |ours − reference|.</param>
/// <param name="Atol">Absolute tolerance used (plus 1e-5 relative).</param>
/// <param name="Passed">Within tolerance everywhere, with equal shapes.</param>
/// <param name="Detail">Where the largest error is, or why the comparison failed.</param>
public sealed record VerifyResult(string Case, string Output, double MaxAbsError, double Atol, bool Passed, string Detail);
