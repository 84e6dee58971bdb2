using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Reads a module's parameter dtype.</summary>
public static class ModuleDTypeExtensions
{
    /// <summary>The dtype of the module's first parameter (float32 when it has none).</summary>
    public static ScalarType DType(this nn.Module module) =>
        module.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32;
}
