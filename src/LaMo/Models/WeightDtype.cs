using static TorchSharp.torch;

namespace LaMo.Models;

/// <summary>The weight types a model can be loaded in, by the names the options use (fp32, bf16, fp16).</summary>
public static class WeightDtype
{
    /// <summary>fp32 → Float32, bf16 → BFloat16, fp16 → Float16.</summary>
    /// <exception cref="ArgumentException">Another name (the message names the option).</exception>
    public static ScalarType Parse(string name, string option) => name switch
    {
        "fp32" => ScalarType.Float32,
        "bf16" => ScalarType.BFloat16,
        "fp16" => ScalarType.Float16,
        _ => throw new ArgumentException($"{option} ('{name}') must be fp32, bf16 or fp16", option),
    };

    /// <summary>Bytes per element.</summary>
    public static int Bytes(ScalarType t) => t == ScalarType.Float32 ? 4 : 2;
}
