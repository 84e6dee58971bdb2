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

    /// <summary>No tab-separated field of the text file (e.g. <c>skipped.txt</c>) starts with '/' or names
    /// <paramref name="root"/>.</summary>
    public static void AssertNoAbsolutePathInText(string file, string root)
    {
        foreach (var field in File.ReadAllLines(file).SelectMany(l => l.Split('\t')))
        {
            Assert.False(field.StartsWith('/'), $"{file}: absolute path '{field}'");
            Assert.DoesNotContain(root, field);
        }
    }

    /// <summary>Every part marker (<c>part.json</c>) and merge record (<c>merged.json</c>) under the parts folder of
    /// <paramref name="output"/> names no absolute path; returns how many were checked.</summary>
    public static int AssertPortableParts(string output, string root)
    {
        var files = Directory.GetFiles(LaMo.Distributed.ShardParts.PartsFolder(output), "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is LaMo.Distributed.ShardParts.MarkerFile or LaMo.Distributed.ShardParts.MergedFile).ToList();
        foreach (var f in files) AssertNoAbsolutePath(f, root);
        return files.Count;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => Strings(kv.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue(out string? s) => [s],
        _ => [],
    };
}
