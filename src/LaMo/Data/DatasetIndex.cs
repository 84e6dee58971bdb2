namespace LaMo.Data;

/// <summary>Reads the supported dataset layouts into (video, caption) lists.</summary>
/// <remarks>Layouts: a folder of videos with same-named <c>.txt</c> captions; a CSV with configurable video and caption
/// columns (OpenVid style: <c>video</c>, <c>caption</c>); <c>prompts.txt</c> + <c>videos.txt</c> line-aligned
/// (finetrainers); and the world generator's <c>metadata.csv</c> (<c>path, caption, scenario, split, seed</c>).
/// Relative paths resolve against the listing file's folder (CSV: also a <c>videos/</c> subfolder when that exists).</remarks>
public static class DatasetIndex
{
    /// <summary>Extensions treated as videos in a caption folder.</summary>
    public static IReadOnlyList<string> VideoExtensions { get; } = [".mp4", ".webm", ".avi", ".mkv", ".mov", ".gif"];

    /// <summary>Videos in <paramref name="dir"/> that have a same-named .txt caption (others are listed as skipped).</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IReadOnlyList<DatasetEntry> FromCaptionFolder(string dir, List<SkippedFile>? skipped = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: folder not found");
        var list = new List<DatasetEntry>();
        foreach (var v in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            if (!VideoExtensions.Contains(Path.GetExtension(v).ToLowerInvariant())) continue;
            var txt = Path.ChangeExtension(v, ".txt");
            if (File.Exists(txt)) list.Add(new(Path.GetFullPath(v), File.ReadAllText(txt).Trim()));
            else skipped?.Add(new SkippedFile(v, "no caption file " + Path.GetFileName(txt)));
        }
        return list;
    }

    /// <summary>A CSV with a video-path column and a caption column.</summary>
    /// <exception cref="InvalidDataException">Unreadable CSV or missing columns.</exception>
    public static IReadOnlyList<DatasetEntry> FromCsv(string csvPath, string videoColumn = "video", string captionColumn = "caption")
    {
        var table = CsvTable.Parse(ReadText(csvPath), csvPath);
        int vi = table.Column(videoColumn, csvPath), ci = table.Column(captionColumn, csvPath);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        return table.Rows.Select(r => new DatasetEntry(Resolve(baseDir, r[vi].Trim()), r[ci].Trim())).ToArray();
    }

    /// <summary>finetrainers layout: line i of prompts.txt captions line i of videos.txt.</summary>
    /// <exception cref="InvalidDataException">Line counts differ.</exception>
    public static IReadOnlyList<DatasetEntry> FromLinePairs(string promptsPath, string videosPath)
    {
        var prompts = Lines(promptsPath);
        var videos = Lines(videosPath);
        if (prompts.Length != videos.Length)
            throw new InvalidDataException($"{promptsPath} has {prompts.Length} lines but {videosPath} has {videos.Length}");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(videosPath))!;
        return videos.Select((v, i) => new DatasetEntry(Resolve(baseDir, v), prompts[i])).ToArray();
    }

    /// <summary>The world generator's metadata.csv.</summary>
    public static IReadOnlyList<DatasetEntry> FromMetadata(string metadataCsv) => FromCsv(metadataCsv, "path", "caption");

    /// <summary>Detects the layout of a path: a .csv file (metadata.csv columns, else video/caption), a folder with
    /// metadata.csv, a folder with prompts.txt + videos.txt, or a caption folder.</summary>
    public static IReadOnlyList<DatasetEntry> Detect(string path, List<SkippedFile>? skipped = null)
    {
        if (File.Exists(path))
        {
            var header = CsvTable.Parse(File.ReadLines(path).FirstOrDefault() ?? "", path).Header;
            return header.Contains("path") ? FromMetadata(path) : FromCsv(path);
        }
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no such file or folder");
        var meta = Path.Combine(path, "metadata.csv");
        if (File.Exists(meta)) return FromMetadata(meta);
        string prompts = Path.Combine(path, "prompts.txt"), videos = Path.Combine(path, "videos.txt");
        if (File.Exists(prompts) && File.Exists(videos)) return FromLinePairs(prompts, videos);
        return FromCaptionFolder(path, skipped);
    }

    private static string Resolve(string baseDir, string p)
    {
        if (Path.IsPathRooted(p)) return p;
        var direct = Path.GetFullPath(Path.Combine(baseDir, p));
        var nested = Path.GetFullPath(Path.Combine(baseDir, "videos", p));
        return !File.Exists(direct) && File.Exists(nested) ? nested : direct;
    }

    private static string[] Lines(string path) =>
        ReadText(path).Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0).ToArray();

    private static string ReadText(string path) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new InvalidDataException($"{path}: file not found");
}
