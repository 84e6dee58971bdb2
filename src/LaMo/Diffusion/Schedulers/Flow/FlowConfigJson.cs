using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>Strict JSON reading and diffusers-style writing for the flow scheduler configs.</summary>
internal static class FlowConfigJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new PythonFloatConverter() },
    };

    /// <summary>Deserialises <paramref name="json"/> (unknown keys refused by the record's attribute) and validates it.</summary>
    public static T Parse<T>(string json, string source, Func<T, T> validate) where T : class
    {
        T? c;
        try { c = JsonSerializer.Deserialize<T>(json, Options); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        if (c is null) throw new InvalidDataException($"{source}: expected a JSON object, got null");
        try { return validate(c); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        catch (NotSupportedException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>Throws the named-field error the configs use.</summary>
    public static void Bad(string key, object? value, string rule) =>
        throw new ArgumentException($"`{key}` ({Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}) {rule}.", key);

    /// <summary>Throws the named-field error for a value diffusers accepts but this port does not implement.</summary>
    public static void Unsupported(string key, object? value, string what) =>
        throw new NotSupportedException($"`{key}` ({Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null"}) is not implemented: {what}.");

    /// <summary>The <c>_class_name</c> of a scheduler_config.json text, or null.</summary>
    public static string? ClassNameOf(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("_class_name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        catch (JsonException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }
}
