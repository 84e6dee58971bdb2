using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Diffusion.Schedulers;

/// <summary>Writes 3.0 as <c>3.0</c> rather than <c>3</c>, so a scheduler config reads like diffusers' own.</summary>
internal sealed class PythonFloatConverter : JsonConverter<double>
{
    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (!double.IsFinite(value)) throw new JsonException($"cannot write {value} as JSON");
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        if (s.All(ch => ch is '-' or (>= '0' and <= '9'))) s += ".0";
        writer.WriteRawValue(s);
    }
}
