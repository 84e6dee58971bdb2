using System.Globalization;
using LaMo.Data;

namespace LaMo.Evaluation.VideoPhy;

/// <summary>Reads the judges' score files.</summary>
/// <remarks>Recognised layouts:
/// <list type="bullet">
/// <item>VideoCon-Physics <c>entailment_inference.py</c>: no header, rows <c>videopath,caption,score</c>;</item>
/// <item>VideoPhy-2-AutoEval <c>inference.py</c>: pandas header <c>,caption,videopath,score</c> (index column first);</item>
/// <item>any CSV with a header naming <c>videopath</c> and <c>score</c> (other columns ignored);</item>
/// <item>merged (<see cref="ReadMerged"/>): a header naming <c>videopath</c>, <c>sa</c> and <c>pc</c>.</item>
/// </list></remarks>
public static class JudgeScoreFile
{
    /// <summary>Reads one SA or PC output file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Unrecognised layout, or a score that is not a finite number.</exception>
    public static IReadOnlyList<JudgeScore> Read(string path) => Parse(ReadText(path), path);

    /// <summary>Parses one SA or PC output; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="InvalidDataException">Unrecognised layout, or a score that is not a finite number.</exception>
    public static IReadOnlyList<JudgeScore> Parse(string text, string source = "<scores>")
    {
        var table = CsvTable.Parse(text, source);
        int vp = Find(table, "videopath"), sc = Find(table, "score");
        if (vp >= 0 && sc >= 0)
        {
            int cap = Find(table, "caption");
            return table.Rows.Select((r, i) => new JudgeScore(r[vp], cap < 0 ? null : r[cap], Number(r[sc], source, i + 2, "score"))).ToArray();
        }
        if (table.Header.Count == 3 && IsNumber(table.Header[2]))   // entailment_inference.py writes no header
            return table.Rows.Prepend(table.Header.ToArray())
                .Select((r, i) => new JudgeScore(r[0], r[1], Number(r[2], source, i + 1, "score"))).ToArray();
        throw new InvalidDataException($"{source}: not a judge score file (expected header-less 'videopath,caption,score' rows from " +
            $"entailment_inference.py, or a header with 'videopath' and 'score'; first row: {string.Join(", ", table.Header)})");
    }

    /// <summary>Reads a merged file with columns <c>videopath</c>, <c>sa</c>, <c>pc</c>.</summary>
    /// <returns>(SA scores, PC scores), in file order.</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Missing columns or a non-numeric score.</exception>
    public static (IReadOnlyList<JudgeScore> Sa, IReadOnlyList<JudgeScore> Pc) ReadMerged(string path) => ParseMerged(ReadText(path), path);

    /// <summary>Parses a merged <c>videopath,sa,pc</c> file.</summary>
    /// <exception cref="InvalidDataException">Missing columns or a non-numeric score.</exception>
    public static (IReadOnlyList<JudgeScore> Sa, IReadOnlyList<JudgeScore> Pc) ParseMerged(string text, string source = "<scores>")
    {
        var table = CsvTable.Parse(text, source);
        int vp = table.Column("videopath", source), sa = table.Column("sa", source), pc = table.Column("pc", source);
        int cap = Find(table, "caption");
        var saScores = table.Rows.Select((r, i) => new JudgeScore(r[vp], cap < 0 ? null : r[cap], Number(r[sa], source, i + 2, "sa"))).ToArray();
        var pcScores = table.Rows.Select((r, i) => new JudgeScore(r[vp], cap < 0 ? null : r[cap], Number(r[pc], source, i + 2, "pc"))).ToArray();
        return (saScores, pcScores);
    }

    private static string ReadText(string path) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"{path}: no such score file", path);

    private static int Find(CsvTable table, string name)
    {
        for (int i = 0; i < table.Header.Count; i++)
            if (string.Equals(table.Header[i].Trim(), name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private static bool IsNumber(string s) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v);

    private static double Number(string s, string source, int line, string column) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new InvalidDataException($"{source}: row {line}: {column} '{s}' is not a finite number");
}
