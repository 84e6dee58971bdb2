using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers;

/// <summary>Where a stochastic scheduler step gets its standard-normal noise (diffusers' <c>randn_tensor(generator=…)</c>).
/// Injectable so tests can replay recorded draws.</summary>
public interface INoiseSource
{
    /// <summary>A new tensor of independent N(0, 1) values.</summary>
    /// <param name="shape">Shape to draw, e.g. the sample's.</param>
    /// <param name="dtype">Element type of the result.</param>
    /// <param name="device">Device of the result.</param>
    Tensor Randn(long[] shape, ScalarType dtype, Device device);
}
