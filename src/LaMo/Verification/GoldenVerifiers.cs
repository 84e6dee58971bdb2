namespace LaMo.Verification;

/// <summary>Finds the verifier for a case and runs folders of cases (the engine behind <c>lamo verify</c>).</summary>
public static class GoldenVerifiers
{
    /// <summary>Every verifier in the library, one per family of reference cases. Verification sits above the layers it
    /// checks (docs/architecture.md), so it lists them here; nothing below knows about it.</summary>
    public static IReadOnlyList<IGoldenVerifier> All { get; } =
    [
        new CogVideoXTransformerVerifier(), new CogVideoXVaeVerifier(), new WanVaeVerifier(),
        new CogVideoXDDIMSchedulerVerifier(), new CogVideoXDPMSchedulerVerifier(),
        new WanTransformerVerifier(), new WanFlowMatchEulerSchedulerVerifier(), new WanUniPCSchedulerVerifier(), new WanFlowConventionsVerifier(),
        new WanPipelineCfgLoopVerifier(),
        new PredictorForwardVerifier(), new PredictorLossVerifier(), new MotionDriftLossVerifier(), new MotionPriorGuidanceVerifier(),
    ];

    /// <summary>The verifier for <paramref name="caseName"/>, or null.</summary>
    public static IGoldenVerifier? For(string caseName) => All.FirstOrDefault(v => v.Handles(caseName));

    /// <summary>Runs one case file; a case no verifier handles yields one failed result saying so.</summary>
    public static IReadOnlyList<VerifyResult> RunCase(string path)
    {
        using var golden = GoldenCase.Load(path);
        var verifier = For(golden.Name);
        if (verifier is null) return [new VerifyResult(golden.Name, "*", double.NaN, 0, false, "no verifier handles this case")];
        using var scope = TorchSharp.torch.NewDisposeScope();
        return verifier.Verify(golden).ToList();
    }
}
