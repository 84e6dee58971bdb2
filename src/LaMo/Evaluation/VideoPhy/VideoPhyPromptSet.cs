using LaMo.Data;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>A VideoPhy or VideoPhy-2 prompt file, recognised by its header.</summary>
/// <remarks>
/// VideoPhy (<c>videophy_expanded_updated.csv</c>): columns <c>caption</c> (long, for generation), <c>short_caption</c>
/// (scored), <c>states_of_matter</c> (category), plus reference-video columns we ignore.
/// VideoPhy-2 (<c>videophy2.csv</c>): <c>caption</c> (scored) and <c>upsampled_caption</c> (for generation); an optional
/// <c>category</c> column is used when present. Fields are kept exactly as read (RFC 4180; no trimming).
/// </remarks>
public sealed class VideoPhyPromptSet
{
    private VideoPhyPromptSet(VideoPhyBenchmark benchmark, string source, IReadOnlyList<VideoPhyPrompt> prompts) =>
        (Benchmark, Source, Prompts) = (benchmark, source, prompts);

    /// <summary>Which benchmark the file belongs to.</summary>
    public VideoPhyBenchmark Benchmark { get; }

    /// <summary>The file it was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>Every prompt, in file order.</summary>
    public IReadOnlyList<VideoPhyPrompt> Prompts { get; }

    /// <summary>Reads a prompt file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Malformed CSV, or a header that matches neither benchmark.</exception>
    public static VideoPhyPromptSet Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such prompt file", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses prompt-file text; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="InvalidDataException">Malformed CSV, or a header that matches neither benchmark.</exception>
    public static VideoPhyPromptSet Parse(string text, string source = "<prompts>")
    {
        var table = CsvTable.Parse(text, source);
        bool Has(string name) => table.Header.Any(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        if (Has("short_caption") && Has("caption") && Has("states_of_matter"))
        {
            int gen = table.Column("caption", source), cap = table.Column("short_caption", source), cat = table.Column("states_of_matter", source);
            var prompts = table.Rows.Select((r, i) => new VideoPhyPrompt(i, r[gen], r[cap], r[cat])).ToArray();
            return new VideoPhyPromptSet(VideoPhyBenchmark.VideoPhy, source, prompts);
        }
        if (Has("upsampled_caption") && Has("caption"))
        {
            int gen = table.Column("upsampled_caption", source), cap = table.Column("caption", source);
            int cat = Has("category") ? table.Column("category", source) : -1;
            var prompts = table.Rows.Select((r, i) => new VideoPhyPrompt(i, r[gen], r[cap], cat < 0 ? null : r[cat])).ToArray();
            return new VideoPhyPromptSet(VideoPhyBenchmark.VideoPhy2, source, prompts);
        }
        throw new InvalidDataException($"{source}: not a VideoPhy prompt file (expected columns caption, short_caption, " +
            $"states_of_matter for VideoPhy, or caption, upsampled_caption for VideoPhy-2; got {string.Join(", ", table.Header)})");
    }

    /// <summary>Rows to run: those in <paramref name="categories"/> (all when null or empty), then skip
    /// <paramref name="offset"/>, then at most <paramref name="limit"/> (all when null).</summary>
    /// <exception cref="ArgumentException">Negative offset or limit, or a category no prompt has (lists the known ones).</exception>
    public IReadOnlyList<VideoPhyPrompt> Select(int offset = 0, int? limit = null, IReadOnlyCollection<string>? categories = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be >= 0");
        IEnumerable<VideoPhyPrompt> rows = Prompts;
        if (categories is { Count: > 0 })
        {
            var known = Prompts.Select(p => p.Category).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            foreach (var c in categories)
                if (!known.Contains(c, StringComparer.Ordinal))
                    throw new ArgumentException($"unknown category '{c}' in {Source} (known: {(known.Length == 0 ? "none" : string.Join(", ", known))})", nameof(categories));
            rows = rows.Where(p => p.Category is not null && categories.Contains(p.Category));
        }
        rows = rows.Skip(offset);
        if (limit is { } n) rows = rows.Take(n);
        return rows.ToArray();
    }
}
