using System.Text.Json.Nodes;

namespace LaMo.Core;

/// <summary>Paths inside written artefacts (<c>cache.json</c>, <c>run.json</c>, <c>results.json</c>) are stored relative
/// to the artefact's own folder, so a copied folder keeps working and no artefact names a folder of the machine that
/// made it. Readers resolve them against that folder; absolute paths (older artefacts) resolve to themselves.</summary>
public static class ArtifactPaths
{
    /// <summary><paramref name="path"/> (relative to <paramref name="folder"/>, or absolute) as a full path without a
    /// trailing separator.</summary>
    public static string Resolve(string folder, string path) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(Path.GetFullPath(folder), path)));

    /// <summary><paramref name="path"/> (absolute, or relative to the working directory) relative to
    /// <paramref name="folder"/>, with <c>/</c> separators; <c>.</c> for the folder itself. A path with no relative form
    /// (another drive) stays absolute.</summary>
    public static string Relative(string folder, string path)
    {
        string rel = Path.GetRelativePath(Path.GetFullPath(folder), Path.GetFullPath(path));
        return Path.IsPathRooted(rel) ? rel : rel.Replace('\\', '/');
    }

    /// <summary>Rewrites, anywhere in <paramref name="node"/>, the string values of properties named in
    /// <paramref name="pathKeys"/> relative to <paramref name="folder"/>; values of <paramref name="maybePathKeys"/> (a
    /// preset name or a path) only when they name an existing file or folder or are absolute. Returns
    /// <paramref name="node"/>.</summary>
    public static JsonNode? RelativeFields(JsonNode? node, string folder, IReadOnlySet<string> pathKeys, IReadOnlySet<string>? maybePathKeys = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0
                        && (pathKeys.Contains(key) || (maybePathKeys?.Contains(key) == true && (Path.IsPathRooted(s) || File.Exists(s) || Directory.Exists(s)))))
                        obj[key] = Relative(folder, s);
                    else RelativeFields(value, folder, pathKeys, maybePathKeys);
                }
                break;
            case JsonArray array:
                foreach (var item in array) RelativeFields(item, folder, pathKeys, maybePathKeys);
                break;
        }
        return node;
    }
}
