using System.Text.Json.Nodes;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>Issue 16: a new user's whole journey through the CLI on tiny data, each step consuming the previous one's
/// output exactly as written (no renaming, no glue): world → vae → pipeline init → encode → train (baseline and LaMo)
/// → prior → sample (continuation of a world split) → eval physics → eval motion.</summary>
[Collection("Torch")]
public sealed class UserJourneyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-journey-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void WorldToEval_EveryOutputIsTheNextInput()
    {
        string[] small = ["--size", "32", "--frames", "9"];
        RelyKit.Ok(["world", "generate", "--split", "train", "--scenarios", "s1", "--count", "4", "--seed", "1", "--out", P("world"), .. small]);
        RelyKit.Ok(["world", "generate", "--split", "test-id", "--scenarios", "s1", "--count", "2", "--seed", "2", "--out", P("test"), .. small]);
        RelyKit.Ok(["vae", "train", "--data", P("world"), "--out", P("vae"), "--steps", "2", "--batch-size", "2", .. small]);
        RelyKit.Ok("pipeline", "init", "--out", P("base"), "--vae", P("vae/vae"), "--transformer-config", "configs/tiny/transformer/config.json");
        RelyKit.Ok("encode", "--data", P("world"), "--pipeline", P("base"), "--out", P("cache"), "--frames", "9");   // the data's own 32 px

        string[] fineTune = ["--cache", P("cache"), "--init", P("base"), "--set", "mode=lora", "--set", "steps=2", "--set", "batch_size=2", "--set", "warmup_steps=1"];
        RelyKit.Ok(["train", "--out", P("baseline"), .. fineTune]);
        RelyKit.Ok(["train", "--out", P("lamo"), "--drift-loss", "--predictor", "--set", "predictor_config=tiny", "--set", "predictor_warmup_steps=1", .. fineTune]);
        RelyKit.Ok("prior", "train", "--cache", P("cache"), "--out", P("prior"), "--set", "steps=2", "--set", "batch_size=2", "--set", "predictor_config=tiny", "--set", "warmup_steps=1");

        // LaMo: the fine-tune's adapters with guidance by the separately trained predictor, continuing the test split.
        string said = RelyKit.Ok("sample", "--pipeline", P("base"), "--lora", P("lamo/lora/pytorch_lora_weights.safetensors"),
            "--predictor", P("prior/predictor"), "--guidance", "--world", P("test"), "--given-frames", "5", "--steps", "2", "--cfg", "1", "--out", P("videos"));
        Assert.Contains("continuation from 5 given frames", said);
        var clips = Directory.GetFiles(Path.Combine(P("test"), "videos"), "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Equal(clips, Directory.GetFiles(P("videos"), "*.mp4").Select(Path.GetFileNameWithoutExtension).Order().ToArray());

        string physics = RelyKit.Ok("eval", "physics", "--videos", P("videos"), "--truth", Path.Combine(P("test"), "videos"), "--out", P("physics.json"));
        Assert.Contains("continuation, 5 given frames (from sample.json)", physics);
        var result = JsonNode.Parse(File.ReadAllText(P("physics.json")))!;
        var rows = result["rows"]!.AsArray().Select(r => (string)r!["method"]!).ToArray();
        Assert.Contains("generated", rows);
        Assert.Contains("copy_last", rows);   // a continuation's reference rows
        Assert.Equal(clips.Length, result["rows"]!.AsArray().First(r => (string)r!["method"]! == "generated")!["clips"]!.AsArray().Count);

        RelyKit.Ok(["eval", "motion", .. Directory.GetFiles(P("videos"), "*.mp4").Order(), "--out", P("motion.json")]);
        Assert.True(File.Exists(P("motion.json")));

        // The saved provenance travels: nothing written along the way holds this machine's paths.
        foreach (var file in new[] { "vae/run.json", "vae/skipped.txt", "cache/cache.json", "cache/skipped.txt", "baseline/run.json",
                     "lamo/run.json", "prior/run.json", "videos/sample.json" })
            Assert.DoesNotContain(_dir, File.ReadAllText(P(file)));
    }
}
