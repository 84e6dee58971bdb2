using LaMo.Core;

namespace LaMo.Data;

/// <summary><c>skipped.txt</c>: the bad inputs a run left out, one <c>path&lt;TAB&gt;reason</c> a line, with each path
/// relative to the folder the list is in (<see cref="ArtifactPaths"/>), so the list travels with its folder and names
/// no folder of the machine that wrote it.</summary>
public static class SkippedList
{
    /// <summary>File name.</summary>
    public const string FileName = "skipped.txt";

    /// <summary>Writes <c>{folder}/skipped.txt</c> atomically; paths relative to <paramref name="relativeTo"/> (default:
    /// <paramref name="folder"/>; give the final folder when <paramref name="folder"/> is a temporary sibling).</summary>
    public static void Write(string folder, IEnumerable<SkippedFile> skipped, string? relativeTo = null)
    {
        string anchor = relativeTo ?? folder;
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), string.Concat(skipped.Select(s => Line(anchor, s) + "\n")));
    }

    /// <summary>Reads <c>{folder}/skipped.txt</c> with paths resolved to full paths; empty when there is none.</summary>
    /// <exception cref="InvalidDataException">A line without a tab (names the file and line).</exception>
    public static IReadOnlyList<SkippedFile> Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return [];
        var result = new List<SkippedFile>();
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            int tab = lines[i].IndexOf('\t');
            if (tab < 0) throw new InvalidDataException($"{path}:{i + 1}: expected 'path<TAB>reason'");
            result.Add(new SkippedFile(ArtifactPaths.Resolve(folder, lines[i][..tab]), lines[i][(tab + 1)..]));
        }
        return result;
    }

    // The reason may quote the file's own path (an I/O message): quote it in the same relative form, on one line.
    private static string Line(string anchor, SkippedFile s)
    {
        string rel = ArtifactPaths.Relative(anchor, s.Path);
        string reason = s.Reason.Replace(Path.GetFullPath(s.Path), rel, StringComparison.Ordinal);
        if (Path.IsPathRooted(s.Path)) reason = reason.Replace(s.Path, rel, StringComparison.Ordinal);
        return $"{rel}\t{reason.ReplaceLineEndings(" ")}";
    }
}
