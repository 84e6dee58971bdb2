using System.Text;

namespace LaMo.Data;

/// <summary>Minimal RFC 4180 CSV: quoted fields with commas, doubled quotes and newlines; first row is the header.</summary>
public sealed class CsvTable
{
    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<string[]> rows) => (Header, Rows) = (header, rows);

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows (each as long as the header).</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Index of a column (case-insensitive).</summary>
    /// <exception cref="InvalidDataException">No such column.</exception>
    public int Column(string name, string source)
    {
        for (var i = 0; i < Header.Count; i++)
            if (string.Equals(Header[i].Trim(), name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new InvalidDataException($"{source}: no column '{name}' (columns: {string.Join(", ", Header)})");
    }

    /// <summary>Parses CSV text.</summary>
    /// <exception cref="InvalidDataException">Empty text, unterminated quote or a row with the wrong field count.</exception>
    public static CsvTable Parse(string text, string source = "<csv>")
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false, any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; any = true; break;
                case ',': fields.Add(sb.ToString()); sb.Clear(); any = true; break;
                case '\r': break;
                case '\n': EndRecord(); break;
                default: sb.Append(c); any = true; break;
            }
        }
        if (quoted) throw new InvalidDataException($"{source}: unterminated quoted field");
        EndRecord();
        if (records.Count == 0) throw new InvalidDataException($"{source}: empty CSV (no header)");
        var header = records[0];
        for (var r = 1; r < records.Count; r++)
            if (records[r].Length != header.Length)
                throw new InvalidDataException($"{source}: row {r + 1} has {records[r].Length} fields, header has {header.Length}");
        return new CsvTable(header, records.Skip(1).ToArray());

        void EndRecord()
        {
            if (!any && fields.Count == 0 && sb.Length == 0) return; // blank line
            fields.Add(sb.ToString());
            records.Add(fields.ToArray());
            fields.Clear();
            sb.Clear();
            any = false;
        }
    }

    /// <summary>Quotes a field when it contains a comma, quote or newline.</summary>
    public static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>One CSV line (no newline) from fields.</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(',', fields.Select(Escape));
}
