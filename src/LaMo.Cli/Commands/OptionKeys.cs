using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LaMo.Cli.Commands;

/// <summary>The <c>--set</c> keys of an options record, read from the record itself (JSON names, defaults of a fresh
/// instance, and the one-line summaries of the library's XML docs), so help and errors cannot go stale.</summary>
public static partial class OptionKeys
{
    /// <summary>One key: its JSON name, default as JSON (null when required), whether it must be given, and its meaning.</summary>
    public sealed record Key(string Name, string? Default, bool Required, string Summary);

    /// <summary>Every key of <typeparamref name="T"/> in declaration order (read once per type and process).</summary>
    public static IReadOnlyList<Key> Of<T>() => KeysOf<T>.Value;

    // Built on first use: every CLI start builds the training commands' help, and the check reuses the same list.
    private static class KeysOf<T>
    {
        public static readonly IReadOnlyList<Key> Value = Read<T>();
    }

    private static IReadOnlyList<Key> Read<T>()
    {
        var fresh = RuntimeHelpers.GetUninitializedObject(typeof(T));
        typeof(T).GetConstructor(Type.EmptyTypes)?.Invoke(fresh, null);   // runs the property initialisers (the defaults)
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(x => x.Name is not null)
            .ToList();
        var docs = Summaries(typeof(T), properties.ToDictionary(x => x.Property.Name, x => x.Name!));
        return properties
            .Select(x =>
            {
                bool required = x.Property.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");
                object? value = x.Property.GetValue(fresh);
                string? shown = required ? null : value is null ? "unset" : System.Text.Json.JsonSerializer.Serialize(value);
                return new Key(x.Name!, shown, required, docs.GetValueOrDefault(x.Property.Name, ""));
            })
            .ToList();
    }

    /// <summary>The help text listing every key with its default and meaning.</summary>
    public static string Help<T>() =>
        "key=value override (repeatable), or the same keys in --config. Keys:\n" + string.Join("\n", Of<T>().Select(k =>
            $"  {k.Name}{(k.Required ? " (required)" : $" = {k.Default}")}{(k.Summary.Length > 0 ? ": " + k.Summary : "")}"));

    /// <summary>Refuses a key <typeparamref name="T"/> does not have, naming a close one and the valid ones, and a
    /// required key that is missing, naming the flag that gives it.</summary>
    /// <exception cref="ArgumentException">An unknown or missing key.</exception>
    public static void Check<T>(JsonObject given)
    {
        var keys = Of<T>();
        var names = keys.Select(k => k.Name).ToList();
        foreach (var (name, _) in given)
        {
            if (names.Contains(name)) continue;
            string? near = names.MinBy(n => Distance(n, name));
            string hint = near is not null && Distance(near, name) <= Math.Max(2, name.Length / 3) ? $" (did you mean '{near}'?)" : "";
            throw new ArgumentException($"unknown option '{name}'{hint}; valid keys: {string.Join(", ", names)}");
        }
        foreach (var k in keys.Where(k => k.Required && given[k.Name] is null))
            throw new ArgumentException($"{k.Name} is required: give --{k.Name.Replace('_', '-')} (or \"{k.Name}\" in --config)");
    }

    // Edit distance (insertions, deletions, substitutions), for did-you-mean.
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    // Property name → first sentence of its <summary>, from the XML docs shipped beside the library (empty when absent);
    // a reference to another option is shown by its key.
    private static Dictionary<string, string> Summaries(Type type, Dictionary<string, string> keyOf)
    {
        var result = new Dictionary<string, string>();
        string xml = Path.ChangeExtension(type.Assembly.Location, ".xml");
        if (!File.Exists(xml)) return result;
        string prefix = $"P:{type.FullName}.";
        foreach (var member in Docs.GetOrAdd(xml, XDocument.Load).Descendants("member"))
        {
            string? name = (string?)member.Attribute("name");
            if (name is null || !name.StartsWith(prefix, StringComparison.Ordinal) || member.Element("summary") is not { } summary) continue;
            string text = string.Concat(summary.Nodes().Select(n => n switch
            {
                XElement { Name.LocalName: "see" } e when (string?)e.Attribute("cref") is { } cref =>
                    keyOf.GetValueOrDefault(cref[(cref.LastIndexOf('.') + 1)..], cref[(cref.LastIndexOf('.') + 1)..]),
                XElement e => e.Value,
                XText t => t.Value,
                _ => "",
            }));
            text = Spaces().Replace(text, " ").Trim();
            int stop = text.IndexOf(". ", StringComparison.Ordinal);
            result[name[prefix.Length..]] = stop > 0 ? text[..(stop + 1)] : text;
        }
        return result;
    }

    // The library's XML docs, parsed once per process (about 0.9 MB).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, XDocument> Docs = new();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
