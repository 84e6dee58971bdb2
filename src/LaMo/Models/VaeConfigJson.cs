using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Models;

/// <summary>Strict reading and the error wording both VAE configs share (CogVideoX's and Wan's): unknown keys are
/// errors, every key is written back, and a bad field reads "VAE config: field = value: why".</summary>
public static class VaeConfigJson
{
    /// <summary>Unknown keys refused, comments and trailing commas allowed, every key written.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Parses <paramref name="json"/> strictly and runs <paramref name="validate"/>; every error names
    /// <paramref name="source"/>.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, an unknown key, or a bad field (named).</exception>
    public static T Parse<T>(string json, string source, Action<T> validate) where T : class
    {
        T? c;
        try { c = JsonSerializer.Deserialize<T>(json, Options); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        if (c is null) throw new InvalidDataException($"{source}: null config");
        try { validate(c); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        return c;
    }

    /// <summary>"VAE config: field = value: why".</summary>
    public static InvalidDataException Bad(string field, object? value, string why) => new($"VAE config: {field} = {value}: {why}");

    /// <summary>Refuses <paramref name="value"/> outside [min, max].</summary>
    public static void CheckRange(string field, int value, int min, int max)
    {
        if (value < min || value > max) throw Bad(field, value, $"must be in [{min}, {max}]");
    }

    /// <summary>A list as "[a, b]" (or "null") for messages.</summary>
    public static string Show<T>(IReadOnlyList<T>? list) => list is null ? "null" : $"[{string.Join(", ", list)}]";
}
