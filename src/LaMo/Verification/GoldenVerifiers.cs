using System.Reflection;

namespace LaMo.Verification;

/// <summary>Finds the verifier for a case and runs folders of cases (the engine behind <c>lamo verify</c>).</summary>
public static class GoldenVerifiers
{
    private static readonly Lazy<IReadOnlyList<IGoldenVerifier>> Discovered = new(() =>
        typeof(IGoldenVerifier).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGoldenVerifier).IsAssignableFrom(t)
                        && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IGoldenVerifier)Activator.CreateInstance(t)!).ToList());

    /// <summary>Every verifier in the library.</summary>
    public static IReadOnlyList<IGoldenVerifier> All => Discovered.Value;

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
