using System.Text.Json;

namespace LaMo.Models.Text;

/// <summary>Strict JSON reading of the text-encoder config records.</summary>
internal static class TextConfigJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>For records that collect unknown keys in <c>[JsonExtensionData]</c> and reject them in <c>Validate()</c>
    /// (System.Text.Json does not allow <c>Disallow</c> together with extension data).</summary>
    internal static readonly JsonSerializerOptions WithExtensionData = new(Options)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Reads <paramref name="path"/> as <typeparamref name="T"/>; JSON errors become <see cref="InvalidDataException"/> naming the file.</summary>
    internal static T Load<T>(string path, JsonSerializerOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), options ?? Options)
                ?? throw new InvalidDataException($"{path}: the JSON is null");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads the <c>_class_name</c> of a config file, or null when it has none.</summary>
    internal static string? ClassNameOf(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: not a JSON object");
            if (doc.RootElement.TryGetProperty("_class_name", out var c) && c.ValueKind == JsonValueKind.String) return c.GetString();
            if (doc.RootElement.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0)
                return a[0].GetString();
            return null;
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e); }
    }
}
