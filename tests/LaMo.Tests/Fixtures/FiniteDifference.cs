using static TorchSharp.torch;

namespace LaMo.Tests;

/// <summary>Central finite differences, the independent reference for autograd gradients in float64.</summary>
public static class FiniteDifference
{
    /// <summary>(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, where <paramref name="flat"/> is a flat view sharing storage with the
    /// input of <paramref name="f"/>; element <paramref name="i"/> is restored afterwards.</summary>
    public static double Central(Tensor flat, long i, Func<double> f, double h = 1e-6)
    {
        double plus, minus;
        using (no_grad())
        {
            double orig = flat[i].item<double>();
            flat[i] = orig + h; plus = f();
            flat[i] = orig - h; minus = f();
            flat[i] = orig;
        }
        return (plus - minus) / (2 * h);
    }
}
