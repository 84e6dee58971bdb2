using TorchSharp;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>A motion prior's forward and backward in fp32 against the same prior in float64: the output, the input
/// gradient (what guidance uses) and the parameter gradients (what training uses). Every layer is non-zero, so the
/// 4-channel head's input gradient, where LibTorch's oneDNN fault shows, is exercised.</summary>
[Core.HostTensors("a check of the CPU kernels the predictor uses (lamo doctor)")]
public static class PredictorNumericsCheck
{
    /// <summary>Largest error over output, input gradient and parameter gradients, relative to each reference's largest
    /// magnitude (+∞ for a non-finite value).</summary>
    public static double WorstRelativeError(int batch = 4, long seed = 0)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        var config = MotionPriorConfig.Tiny;
        using var prior32 = new MotionPrior(config);
        using (no_grad()) foreach (var p in prior32.parameters()) p.normal_(0, 0.2);   // a trained prior's heads are not zero
        using var prior64 = new MotionPrior(config);
        prior64.to(ScalarType.Float64);
        using (no_grad())
            foreach (var ((_, p64), (_, p32)) in prior64.named_parameters().Zip(prior32.named_parameters()))
                p64.copy_(p32.to_type(ScalarType.Float64));
        var gen = new Generator((ulong)seed);
        var z = randn([batch, config.InChannels, 8, 8], dtype: ScalarType.Float64, generator: gen);
        var prompt = randn([batch, config.PromptTextDim], dtype: ScalarType.Float64, generator: gen);
        var r64 = Evaluate(prior64, z, prompt);
        var r32 = Evaluate(prior32, z.to_type(ScalarType.Float32), prompt.to_type(ScalarType.Float32));
        double worst = 0;
        foreach (var (a, b) in r32.Zip(r64))
        {
            double err = (a.to_type(ScalarType.Float64) - b).abs().max().item<double>();
            if (!double.IsFinite(err)) return double.PositiveInfinity;
            worst = Math.Max(worst, err / Math.Max(b.abs().max().item<double>(), 1e-30));
        }
        return worst;
    }

    /// <summary>fp32 through a few layers: errors of about 1e-6; the fault gives 1e-2 or NaN.</summary>
    public const double Tolerance = 1e-4;

    private static List<Tensor> Evaluate(MotionPrior prior, Tensor z, Tensor prompt)
    {
        prior.train();
        var input = z.detach().requires_grad_(true);
        var output = prior.forward(input, prompt);
        // The null prompt is unused when a prompt is given.
        var parameters = prior.named_parameters().Where(p => p.name != "null_prompt").Select(p => (Tensor)p.parameter).ToArray();
        var grads = autograd.grad([output.pow(Sc(2)).sum()], [input, .. parameters]);
        return [output.detach(), .. grads];
    }
}
