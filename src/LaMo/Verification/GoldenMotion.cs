using LaMo.Motion;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Helpers shared by the motion verifiers: building the prior from a sidecar and reading its scalars.</summary>
internal static class GoldenMotion
{
    /// <summary>A prior built from the sidecar's <c>config</c> with the case's <c>weights.*</c> loaded strictly.</summary>
    public static MotionPrior LoadPrior(GoldenCase golden)
    {
        var prior = new MotionPrior(MotionPriorConfig.FromJson(golden.Config));
        StateDictLoader.Load(prior, golden.Weights, source: golden.Name);
        prior.eval();
        return prior;
    }

    public static double Scalar(GoldenCase golden, string name) => golden.Scalars.GetProperty(name).GetDouble();

    public static int IntScalar(GoldenCase golden, string name) => golden.Scalars.GetProperty(name).GetInt32();

    /// <summary>A failed result for an output that could not be computed.</summary>
    public static VerifyResult Missing(GoldenCase golden, string output, string why) =>
        new(golden.Name, output, double.NaN, 0, false, why);
}
