using System.Text.Json.Nodes;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>cache.json, run.json and checkpoints store paths relative to their own folder: a work folder moved elsewhere
/// resumes encoding without refusal and trains, and no written artefact names a folder of the machine that made it.</summary>
[Collection("Torch")]
public sealed class PortableProvenanceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-portable-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void MovedWorkFolder_ResumesEncode_Trains_AndWritesNoAbsolutePath()
    {
        string first = Path.Combine(_dir, "first");
        RelyKit.TinyPipeline(first);
        RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--out", Path.Combine(first, "world"));
        string[] Encode(string w) => ["encode", "--data", Path.Combine(w, "world"), "--pipeline", Path.Combine(w, "pipe"), "--out", Path.Combine(w, "cache"), "--frames", "9", "--size", "32"];
        Assert.Contains("2 encoded", RelyKit.Ok(Encode(first)));
        var cacheJson = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "cache", "cache.json")))!;
        Assert.Equal("../pipe/vae", (string)cacheJson["vae"]!);
        Assert.Equal("../pipe/text_encoder", (string)cacheJson["text_encoder"]!);

        string moved = Path.Combine(_dir, "moved");
        Directory.Move(first, moved);
        Assert.Contains("0 encoded, 2 already cached", RelyKit.Ok(Encode(moved)));   // its own cache, not refused

        // Full fine-tune: the output pipeline takes its VAE from the cache's (resolved) vae path.
        RelyKit.Ok("train", "--cache", Path.Combine(moved, "cache"), "--out", Path.Combine(moved, "run"), "--init", Path.Combine(moved, "pipe"),
            "--set", "steps=1", "--set", "batch_size=2", "--set", "warmup_steps=0");
        Assert.True(File.Exists(Path.Combine(moved, "run", "pipeline", "vae", "config.json")));
        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(moved, "run", "run.json")))!;
        Assert.Equal("../cache", (string)run["plan"]!["cache"]!);
        Assert.Equal(".", (string)run["plan"]!["loop"]!["run_folder"]!);
        Assert.Equal("../pipe", (string)run["plan"]!["init_pipeline"]!);

        // The predictor finds the encoding pipeline's scheduler through the cache's resolved vae path.
        RelyKit.Ok("prior", "train", "--cache", Path.Combine(moved, "cache"), "--out", Path.Combine(moved, "prior"),
            "--set", "steps=1", "--set", "batch_size=2", "--set", "predictor_config=tiny");
        var prior = JsonNode.Parse(File.ReadAllText(Path.Combine(moved, "prior", "run.json")))!;
        Assert.Equal("../pipe/scheduler/scheduler_config.json", (string)prior["plan"]!["scheduler_source"]!);

        var written = new[] { "cache/cache.json", "run/run.json", "prior/run.json" }.Select(f => Path.Combine(moved, f))
            .Concat(Directory.GetFiles(Path.Combine(moved, "run", "checkpoints"), "state.json", SearchOption.AllDirectories)).ToList();
        foreach (var file in written) PortablePaths.AssertNoAbsolutePath(file, _dir);
    }
}
