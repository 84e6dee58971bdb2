using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Diffusion.Schedulers;

namespace LaMo.Diffusion.Pipeline;

/// <summary>What a Wan pipeline folder's <c>model_index.json</c> says, read strictly: <c>_class_name</c> must be
/// <c>WanPipeline</c>, every key must be known, and each component must name the class this library loads for it.</summary>
/// <param name="Components">Component name → diffusers class, for the components present (a <c>[null, null]</c> entry
/// means absent).</param>
/// <param name="ExpandTimesteps">Wan 2.2 TI2V's per-token timesteps (<c>expand_timesteps</c>).</param>
public sealed record WanModelIndex(IReadOnlyDictionary<string, string> Components, bool ExpandTimesteps)
{
    /// <summary>diffusers' pipeline class.</summary>
    public const string PipelineClass = "WanPipeline";

    /// <summary>The classes each component may name (the transformer and the scheduler are required).</summary>
    public static IReadOnlyDictionary<string, string[]> AllowedClasses { get; } = new Dictionary<string, string[]>
    {
        ["transformer"] = ["WanTransformer3DModel"],
        ["scheduler"] = [SchedulerFactory.UniPC, SchedulerFactory.FlowMatchEuler],
        ["vae"] = ["AutoencoderKLWan"],
        ["text_encoder"] = ["UMT5EncoderModel", "T5EncoderModel", "WordTextEncoder"],
        ["tokenizer"] = ["T5TokenizerFast", "T5Tokenizer", "AutoTokenizer"],
    };

    private static readonly HashSet<string> Informational = ["_class_name", "_diffusers_version", "_lamo_version", "_name_or_path"];

    /// <summary>Whether <paramref name="component"/> is present.</summary>
    public bool Has(string component) => Components.ContainsKey(component);

    /// <summary>The pipeline class a folder's <c>model_index.json</c> names, or null when the folder has none.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object (named).</exception>
    public static string? PipelineClassOf(string folder)
    {
        string path = Path.Combine(folder, "model_index.json");
        if (!File.Exists(path)) return null;
        return ReadObject(path)["_class_name"] is JsonValue v && v.TryGetValue(out string? name) ? name : null;
    }

    /// <summary>Reads and checks <c>model_index.json</c> in <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">No <c>model_index.json</c>.</exception>
    /// <exception cref="InvalidDataException">Another pipeline class, an unknown key, a component naming a class that
    /// is not its Wan class, or a missing transformer or scheduler (each named, with the file).</exception>
    /// <exception cref="NotSupportedException">Wan 2.2 A14B's second expert (<c>transformer_2</c>, <c>boundary_ratio</c>).</exception>
    public static WanModelIndex Load(string folder)
    {
        string path = Path.Combine(folder, "model_index.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: missing (a Wan pipeline folder names {PipelineClass} there)", path);
        var root = ReadObject(path);
        string? cls = root["_class_name"] is JsonValue cv && cv.TryGetValue(out string? c) ? c : null;
        if (cls != PipelineClass) throw new InvalidDataException($"{path}: _class_name is '{cls}'; expected '{PipelineClass}'");

        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        bool expand = false;
        foreach (var (key, node) in root)
        {
            if (Informational.Contains(key)) continue;
            switch (key)
            {
                case "expand_timesteps":
                    expand = node is JsonValue ev && ev.TryGetValue(out bool b) ? b
                        : node is null ? false : throw new InvalidDataException($"{path}: expand_timesteps must be true or false");
                    break;
                case "boundary_ratio":
                    if (node is not null) throw new NotSupportedException($"{path}: boundary_ratio (Wan 2.2 A14B's two experts) is not supported");
                    break;
                case "transformer_2":
                    if (ComponentClass(path, key, node) is not null) throw new NotSupportedException($"{path}: transformer_2 (Wan 2.2 A14B's second expert) is not supported");
                    break;
                default:
                    if (!AllowedClasses.TryGetValue(key, out var allowed)) throw new InvalidDataException($"{path}: unknown key '{key}'");
                    string? name = ComponentClass(path, key, node);
                    if (name is null) break;
                    if (!allowed.Contains(name))
                        throw new InvalidDataException($"{path}: {key} is '{name}'; expected {string.Join(" or ", allowed.Select(a => $"'{a}'"))}");
                    components[key] = name;
                    break;
            }
        }
        foreach (var required in new[] { "transformer", "scheduler" })
            if (!components.ContainsKey(required)) throw new InvalidDataException($"{path}: no {required} (a Wan pipeline needs one)");
        return new WanModelIndex(components, expand);
    }

    /// <summary>The <c>model_index.json</c> text of a folder holding these components.</summary>
    public static string Write(IReadOnlyDictionary<string, (string Library, string Class)> components, bool expandTimesteps)
    {
        var index = new JsonObject { ["_class_name"] = PipelineClass, ["_lamo_version"] = LaMoInfo.Version };
        foreach (var (key, (library, cls)) in components.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            index[key] = new JsonArray(library, cls);
        if (expandTimesteps) index["expand_timesteps"] = true;
        return index.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    // [library, class] → class; [null, null] or null → null.
    private static string? ComponentClass(string path, string key, JsonNode? node)
    {
        if (node is null) return null;
        if (node is not JsonArray { Count: 2 } pair) throw new InvalidDataException($"{path}: {key} must be [library, class]");
        if (pair[1] is null) return null;
        return pair[1] is JsonValue v && v.TryGetValue(out string? name) ? name : throw new InvalidDataException($"{path}: {key} must be [library, class]");
    }

    private static JsonObject ReadObject(string path)
    {
        string text = ResourceLimits.ReadConfigText(path);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message.Split('.')[0]})"); }
    }
}
