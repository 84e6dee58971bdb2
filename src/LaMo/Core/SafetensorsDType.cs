using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>Maps safetensors dtype strings to TorchSharp scalar types and element sizes.</summary>
public static class SafetensorsDType
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2), ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1), ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>True when <paramref name="name"/> is a dtype this reader supports.</summary>
    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    /// <summary>The TorchSharp type of a safetensors dtype string.</summary>
    public static ScalarType ToScalarType(string name) => ByName[name].Type;

    /// <summary>Bytes per element of a safetensors dtype string.</summary>
    public static int ElementSize(string name) => ByName[name].Size;

    /// <summary>The safetensors dtype string of a TorchSharp type.</summary>
    /// <exception cref="NotSupportedException">The type has no safetensors name here.</exception>
    public static string FromScalarType(ScalarType type)
    {
        foreach (var (name, v) in ByName)
            if (v.Type == type) return name;
        throw new NotSupportedException($"dtype {type} cannot be stored in safetensors by this writer");
    }
}
