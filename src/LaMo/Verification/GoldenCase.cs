using System.Text.Json;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>A reference case in the format of <c>shared/golden</c>: <c>&lt;case&gt;.safetensors</c> holding
/// <c>weights.*</c>, <c>inputs.*</c> and <c>outputs.*</c> tensors, plus a <c>&lt;case&gt;.json</c> sidecar with
/// <c>case</c>, <c>config</c>, <c>scalars</c>, <c>calls</c> and <c>tolerance</c>.</summary>
public sealed class GoldenCase : IDisposable
{
    private readonly JsonDocument _sidecar;

    /// <summary>The sidecar's <c>case</c> name, e.g. <c>cogvideox_vae</c>.</summary>
    public string Name { get; }

    /// <summary>Path of the tensors file.</summary>
    public string TensorsPath { get; }

    /// <summary>The sidecar's root object.</summary>
    public JsonElement Sidecar => _sidecar.RootElement;

    /// <summary>The sidecar's <c>config</c> (constructor arguments).</summary>
    public JsonElement Config => Sidecar.TryGetProperty("config", out var c) ? c : default;

    /// <summary>The sidecar's <c>scalars</c> (other call arguments).</summary>
    public JsonElement Scalars => Sidecar.TryGetProperty("scalars", out var s) ? s : default;

    /// <summary>Model weights with the <c>weights.</c> prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> Weights { get; }

    /// <summary>Call arguments with the <c>inputs.</c> prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> Inputs { get; }

    /// <summary>Reference results with the <c>outputs.</c> prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> Outputs { get; }

    private GoldenCase(string name, string tensorsPath, JsonDocument sidecar, Dictionary<string, Tensor> all)
    {
        Name = name; TensorsPath = tensorsPath; _sidecar = sidecar;
        Weights = Strip(all, "weights."); Inputs = Strip(all, "inputs."); Outputs = Strip(all, "outputs.");
    }

    private static Dictionary<string, Tensor> Strip(Dictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
           .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Loads a case from its <c>.json</c> or <c>.safetensors</c> path (the other file must sit beside it).</summary>
    /// <exception cref="FileNotFoundException">One of the two files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static GoldenCase Load(string path)
    {
        string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
        string json = stem + ".json", tensors = stem + ".safetensors";
        if (!File.Exists(json)) throw new FileNotFoundException($"{json}: sidecar not found", json);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(json)); }
        catch (JsonException e) { throw new InvalidDataException($"{json}: not valid JSON ({e.Message.Split('.')[0]})"); }
        if (!doc.RootElement.TryGetProperty("case", out var c) || c.ValueKind != JsonValueKind.String)
        {
            doc.Dispose();
            throw new InvalidDataException($"{json}: no \"case\" name");
        }
        return new GoldenCase(c.GetString()!, tensors, doc, SafetensorsFile.LoadAll(tensors));
    }

    /// <summary>The sidecar files of every case in <paramref name="folder"/>, sorted.</summary>
    public static IReadOnlyList<string> Find(string folder) =>
        Directory.GetFiles(folder, "*.json")
            .Where(j => File.Exists(Path.ChangeExtension(j, ".safetensors")))
            .OrderBy(p => p, StringComparer.Ordinal).ToList();

    /// <summary>The sidecar's suggested absolute tolerance for <paramref name="output"/> (1e-5 when absent).</summary>
    public double SuggestedAtol(string output) =>
        Sidecar.TryGetProperty("tolerance", out var t) && t.TryGetProperty(output, out var o)
        && o.TryGetProperty("suggested_atol", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : 1e-5;

    /// <summary>Compares <paramref name="actual"/> with output <paramref name="output"/> using
    /// |ours − ref| ≤ atol + 1e-5·|ref| (exact for integer outputs).</summary>
    public VerifyResult Compare(string output, Tensor actual, double? atol = null)
    {
        if (!Outputs.TryGetValue(output, out var reference))
            return new VerifyResult(Name, output, double.NaN, 0, false, "no such reference output");
        return TensorComparison.Compare(Name, output, actual, reference, atol ?? SuggestedAtol(output));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sidecar.Dispose();
        foreach (var t in Weights.Values.Concat(Inputs.Values).Concat(Outputs.Values)) t.Dispose();
    }
}
