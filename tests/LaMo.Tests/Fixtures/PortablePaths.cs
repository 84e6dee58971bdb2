using System.Text.Json.Nodes;
using Xunit;

namespace LaMo.Tests;

/// <summary>Checks that a written JSON artefact names no folder of the machine that made it.</summary>
public static class PortablePaths
{
    /// <summary>No string value of the JSON file starts with '/' or names <paramref name="root"/>.</summary>
    public static void AssertNoAbsolutePath(string file, string root)
    {
        foreach (var s in Strings(JsonNode.Parse(File.ReadAllText(file))))
        {
            Assert.False(s.StartsWith('/'), $"{file}: absolute path '{s}'");
            Assert.DoesNotContain(root, s);
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => Strings(kv.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue(out string? s) => [s],
        _ => [],
    };
}
