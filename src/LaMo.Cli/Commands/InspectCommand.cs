using System.CommandLine;
using LaMo.Core;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo inspect PATH</c>: every tensor's name, dtype, shape and size in a safetensors file,
/// a sharded index, a component folder, or a diffusers pipeline folder (per component), plus metadata.</summary>
public static class InspectCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A .safetensors file, a .safetensors.index.json, or a (diffusers) folder" };
        var cmd = new Command("inspect", "List the tensors (name, dtype, shape, bytes) and metadata of a checkpoint") { path };
        cmd.SetAction(parse =>
        {
            string p = parse.GetValue(path)!;
            var o = parse.InvocationConfiguration.Output;
            if (!File.Exists(p) && !Directory.Exists(p)) throw new FileNotFoundException($"{p}: no such file or folder");
            if (File.Exists(p) && !p.EndsWith(".safetensors", StringComparison.Ordinal) && !p.EndsWith(".safetensors.index.json", StringComparison.Ordinal)
                && FirstByte(p) is (byte)'{' or (byte)'[')
                throw new InvalidDataException($"{p}: not a safetensors file (it is JSON); inspect takes a .safetensors file, a .safetensors.index.json or a folder");
            foreach (var (component, source) in Components(p))
            {
                using var ckpt = Checkpoint.Open(source);
                Print(o, component, ckpt);
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>(component name, checkpoint path) pairs: one for a file or component folder, one per subfolder
    /// for a diffusers pipeline folder (identified by <c>model_index.json</c>), and one per file for a folder of
    /// separate safetensors files without an index (a latent cache's shards, a training checkpoint's groups).</summary>
    public static IEnumerable<(string Component, string Source)> Components(string path)
    {
        if (Directory.Exists(path) && File.Exists(Path.Combine(path, "model_index.json")))
        {
            foreach (var dir in Directory.GetDirectories(path).OrderBy(d => d, StringComparer.Ordinal))
                if (Directory.GetFiles(dir, "*.safetensors*").Length > 0)
                    yield return (Path.GetFileName(dir), dir);
            yield break;
        }
        if (Directory.Exists(path) && Directory.GetFiles(path, "*.safetensors.index.json").Length == 0
            && Directory.GetFiles(path, "*.safetensors") is { Length: > 1 } files)
        {
            foreach (var f in files.Order(StringComparer.Ordinal)) yield return (Path.GetFileName(f), f);
            yield break;
        }
        yield return (Path.GetFileName(Path.TrimEndingDirectorySeparator(path)), path);
    }

    private static int FirstByte(string file)
    {
        using var s = File.OpenRead(file);
        int b;
        do b = s.ReadByte(); while (b is ' ' or '\n' or '\r' or '\t');
        return b;
    }

    // Long metadata (a cache shard's captions, ids) is shown by its start and length, not as one endless line.
    private static string Shorten(string value) => value.Length <= 160 ? value : $"{value[..120]}… ({value.Length:N0} chars)";

    private static void Print(TextWriter o, string component, Checkpoint ckpt)
    {
        long total = ckpt.Entries.Values.Sum(e => e.ByteLength);
        long count = ckpt.Entries.Values.Sum(e => e.ElementCount);
        o.WriteLine($"== {component}: {ckpt.Entries.Count} tensors, {count:N0} elements, {total:N0} bytes in {ckpt.Files.Count} file(s) ({ckpt.Source})");
        foreach (var f in ckpt.Files)
            foreach (var (k, v) in f.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                o.WriteLine($"   metadata[{Path.GetFileName(f.Path)}] {k} = {Shorten(v)}");
        int width = Math.Min(80, ckpt.Entries.Keys.Select(k => k.Length).DefaultIfEmpty(4).Max());
        foreach (var e in ckpt.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
            o.WriteLine($"   {e.Name.PadRight(width)}  {e.DType,-4}  [{string.Join(", ", e.Shape)}]  {e.ByteLength:N0} B");
    }
}
