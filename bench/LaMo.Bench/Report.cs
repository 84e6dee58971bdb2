using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LaMo.Bench;

/// <summary>A target of issue 8 with its measured value.</summary>
internal sealed record TargetResult(string Target, string Limit, string Measured, bool Met, string Note);

/// <summary>Accumulates results.json (machine-readable) and results.md (tables) side by side.</summary>
internal sealed class Report
{
    public JsonObject Json { get; } = new();
    public StringBuilder Md { get; } = new();
    public List<TargetResult> Targets { get; } = [];

    public static string F(double x, int digits = 2) => double.IsNaN(x) ? "n/a" : x.ToString("F" + digits, CultureInfo.InvariantCulture);
    public static string Ms(double seconds) => F(seconds * 1e3, seconds < 0.01 ? 2 : 1);
    public static string Pct(double fraction) => F(100 * fraction, 1) + " %";

    public void Section(string title, string? text = null)
    {
        Md.AppendLine().AppendLine("## " + title).AppendLine();
        if (text is not null) Md.AppendLine(text).AppendLine();
        Console.WriteLine($"== {title}");
    }

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        Md.AppendLine("| " + string.Join(" | ", header) + " |");
        Md.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var r in rows)
        {
            Md.AppendLine("| " + string.Join(" | ", r) + " |");
            Console.WriteLine("   " + string.Join("  ", r));
        }
        Md.AppendLine();
    }

    public void Note(string text) { Md.AppendLine(text).AppendLine(); Console.WriteLine("   " + text); }

    public void Target(string target, string limit, double value, bool met, string measured, string note = "")
    {
        Targets.Add(new TargetResult(target, limit, measured, met, note));
        Console.WriteLine($"   TARGET {target}: {measured} (limit {limit}) {(met ? "MET" : "MISSED")}");
    }

    public static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, JsonOptions);

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
