using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>Random draws made on the CPU from a CPU generator and moved to the device that uses them, as diffusers'
/// <c>randn_tensor</c> does with a CPU generator: a seed gives the same numbers on every device, and a CUDA run
/// reproduces a CPU one draw for draw.</summary>
public static class HostRandom
{
    /// <summary>N(0, 1) of <paramref name="shape"/> from <paramref name="generator"/> (the global CPU one when null), on
    /// <paramref name="device"/>.</summary>
    public static Tensor Randn(long[] shape, Generator? generator, Device device, ScalarType dtype = ScalarType.Float32)
    {
        using var drawn = randn(shape, dtype: dtype, generator: generator, device: CPU);
        return drawn.to(device);   // a new handle (the same storage on the CPU); the draw's own handle is released here
    }

    /// <summary>U[0, 1) of <paramref name="shape"/> from <paramref name="generator"/>, on <paramref name="device"/>.</summary>
    public static Tensor Rand(long[] shape, Generator? generator, Device device)
    {
        using var drawn = rand(shape, generator: generator, device: CPU);
        return drawn.to(device);
    }

    /// <summary>Integers in [<paramref name="low"/>, <paramref name="high"/>) of <paramref name="shape"/> from
    /// <paramref name="generator"/>, on <paramref name="device"/>.</summary>
    public static Tensor Randint(long low, long high, long[] shape, Generator? generator, Device device)
    {
        using var drawn = randint(low, high, shape, generator: generator, device: CPU);
        return drawn.to(device);
    }
}
