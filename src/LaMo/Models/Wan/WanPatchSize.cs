using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.Models.Wan;

/// <summary>The 3-D patch (frames, rows, columns) of <c>patch_size</c>, written in JSON as a list of three integers.</summary>
[JsonConverter(typeof(WanPatchSizeJsonConverter))]
public readonly record struct WanPatchSize(int T, int H, int W)
{
    /// <summary>Latent values per token and channel: pt·ph·pw.</summary>
    public int Volume => T * H * W;

    /// <inheritdoc />
    public override string ToString() => $"[{T}, {H}, {W}]";
}

/// <summary>Reads and writes <see cref="WanPatchSize"/> as <c>[pt, ph, pw]</c>, refusing any other shape.</summary>
public sealed class WanPatchSizeJsonConverter : JsonConverter<WanPatchSize>
{
    /// <inheritdoc />
    public override WanPatchSize Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("patch_size must be a list of 3 integers");
        var values = new List<int>(3);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int v) || values.Count == 3)
                throw new JsonException("patch_size must be a list of 3 integers");
            values.Add(v);
        }
        if (values.Count != 3) throw new JsonException($"patch_size must be a list of 3 integers, got {values.Count}");
        return new WanPatchSize(values[0], values[1], values[2]);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, WanPatchSize value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.T); writer.WriteNumberValue(value.H); writer.WriteNumberValue(value.W);
        writer.WriteEndArray();
    }
}
