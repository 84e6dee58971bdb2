using System.Text.Json.Nodes;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>A tiny world split and a tiny random pipeline shared by the sample → eval tests.</summary>
public sealed class SampleToEvalFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("lamo-s2e-").FullName;
    public string World => P("world");
    public string Truth => Path.Combine(World, "videos");
    public string Pipeline { get; }

    public SampleToEvalFixture()
    {
        RelyKit.Ok("world", "generate", "--split", "test-id", "--scenarios", "uniform,collision", "--count", "1", "--size", "32", "--frames", "9", "--seed", "3", "--out", World);
        Pipeline = RelyKit.TinyPipeline(Dir);
    }

    public string P(string name) => Path.Combine(Dir, name);

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary>Issue 16 §2: <c>lamo sample</c> makes what <c>lamo eval physics</c> reads, with no renaming and no silent
/// mode guess; no silent overwrites.</summary>
[Collection("Torch")]
public sealed class SampleToEvalTests(SampleToEvalFixture fx) : IClassFixture<SampleToEvalFixture>
{
    private string[] Sample(string output, params string[] extra) =>
        ["sample", "--pipeline", fx.Pipeline, "--world", fx.World, "--steps", "2", "--cfg", "1", "--out", output, .. extra];

    private string[] Eval(string videos, string output, params string[] extra) =>
        ["eval", "physics", "--videos", videos, "--truth", fx.Truth, "--out", output, .. extra];

    private static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    private static string[] Rows(string evalJson) => Json(evalJson)["rows"]!.AsArray().Select(r => (string)r!["method"]!).ToArray();

    [Fact]
    public void WorldContinuation_FilesNamedByClipId_EvalPicksTheModeFromSampleJson()
    {
        string videos = fx.P("cont"), eval = fx.P("cont-eval.json");
        string said = RelyKit.Ok(Sample(videos, "--given-frames", "5", "--seed", "4"));
        Assert.Contains("continuation from 5 given frames", said);
        var ids = Directory.GetFiles(fx.Truth, "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Equal(ids, Directory.GetFiles(videos, "*.mp4").Select(Path.GetFileNameWithoutExtension).Order().ToArray());

        var record = Json(Path.Combine(videos, SampleRecord.FileName));
        Assert.Equal("continuation", (string)record["mode"]!);
        Assert.Equal(5, (int)record["given_frames"]!);
        Assert.Equal(2, (int)record["steps"]!);
        Assert.Equal(1.0, (double)record["cfg"]!);
        Assert.Equal("../pipe", (string)record["pipeline"]!);                   // relative: travels with the folder
        Assert.Equal(ids, record["videos"]!.AsArray().Select(v => (string)v!["clip"]!).Order().ToArray());
        Assert.Equal(Continuations.ClipSeed(4, 0), (long)record["videos"]![0]!["seed"]!);

        var (rc, output, err) = RelyKit.Cli(Eval(videos, eval));
        Assert.True(rc == 0, err);
        Assert.Contains("continuation, 5 given frames (from sample.json)", output);
        Assert.DoesNotContain("assumed", err);
        Assert.Equal(5, (int)Json(eval)["options"]!["given_frames"]!);
        Assert.Equal(["generated", "gt_floor", "copy_last", "const_velocity"], Rows(eval));
    }

    [Fact]
    public void WorldTextToVideo_EvalJudgesEveryFrame_NoContinuationRows_MismatchRefused()
    {
        string videos = fx.P("t2v"), eval = fx.P("t2v-eval.json");
        RelyKit.Ok(Sample(videos));
        Assert.Equal("text-to-video", (string)Json(Path.Combine(videos, SampleRecord.FileName))["mode"]!);
        RelyKit.Ok(Eval(videos, eval));
        Assert.Equal(0, (int)Json(eval)["options"]!["given_frames"]!);
        Assert.Equal(["generated", "gt_floor"], Rows(eval));   // copy-last / constant-velocity only fit continuations

        var (rc, _, err) = RelyKit.Cli(Eval(videos, fx.P("t2v-bad.json"), "--given-frames", "5"));
        Assert.NotEqual(0, rc);
        Assert.Contains("contradicts", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(fx.P("t2v-bad.json")));
    }

    [Fact]
    public void Eval_WithoutSampleJson_WarnsThatTheModeWasAssumed()
    {
        var (rc, _, err) = RelyKit.Cli(Eval(fx.Truth, fx.P("gt-eval.json")));
        Assert.True(rc == 0, err);
        Assert.Contains("assumed continuations from 5 given frames", err);
    }

    [Fact]
    public void GivenVideo_ContinuesIt_NamedByItsStem()
    {
        string clip = Directory.GetFiles(fx.Truth, "*.mp4").Order().First(), videos = fx.P("given");
        RelyKit.Ok("sample", "--pipeline", fx.Pipeline, "--given-video", clip, "--given-frames", "5", "--prompt", "a red ball",
            "--steps", "2", "--cfg", "1", "--out", videos);
        Assert.Equal([Path.GetFileName(clip)], Directory.GetFiles(videos, "*.mp4").Select(Path.GetFileName));
        var record = Json(Path.Combine(videos, SampleRecord.FileName));
        Assert.Equal(5, (int)record["given_frames"]!);
        Assert.EndsWith(Path.GetFileName(clip), (string)record["source"]!);
    }

    [Fact]
    public void Sample_IntoAFolderWithVideos_RefusedUnlessOverwrite()
    {
        string videos = fx.P("again");
        RelyKit.Ok(Sample(videos));
        File.WriteAllText(Path.Combine(videos, "stale.mp4"), "from an earlier run");
        File.WriteAllText(Path.Combine(videos, "notes.txt"), "the user's");
        var (rc, _, err) = RelyKit.Cli(Sample(videos));
        Assert.NotEqual(0, rc);
        Assert.Contains(videos, err);
        Assert.Contains("--overwrite", err);
        Assert.Single(err.Trim().Split('\n'));
        RelyKit.Ok(Sample(videos, "--overwrite"));
        Assert.False(File.Exists(Path.Combine(videos, "stale.mp4")));   // the earlier output is replaced ...
        Assert.True(File.Exists(Path.Combine(videos, "notes.txt")));    // ... and nothing else is touched
        Assert.True(File.Exists(Path.Combine(videos, SampleRecord.FileName)));
    }

    [Fact]
    public void EvalOut_ExistingFile_RefusedUnlessOverwrite()
    {
        string eval = fx.P("exists.json");
        File.WriteAllText(eval, "{}");
        var (rc, _, err) = RelyKit.Cli(Eval(fx.Truth, eval, "--given-frames", "5"));
        Assert.NotEqual(0, rc);
        Assert.Contains(eval, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal("{}", File.ReadAllText(eval));
        RelyKit.Ok(Eval(fx.Truth, eval, "--given-frames", "5", "--overwrite"));
        Assert.NotEqual("{}", File.ReadAllText(eval));

        string motion = fx.P("motion-exists.json");
        File.WriteAllText(motion, "{}");
        var clip = Directory.GetFiles(fx.Truth, "*.mp4").First();
        Assert.NotEqual(0, RelyKit.Cli("eval", "motion", clip, "--out", motion).Code);
        RelyKit.Ok("eval", "motion", clip, "--out", motion, "--overwrite");
    }

    [Theory]
    [InlineData("--steps", "-1")]
    [InlineData("--given-frames", "4")]
    [InlineData("--lora-scale", "0.5")]   // without --lora
    public void BadOption_CreatesNothing(string option, string value)
    {
        string videos = fx.P($"bad{option}{value}");
        var (rc, _, err) = RelyKit.Cli(Sample(videos, option, value));
        Assert.NotEqual(0, rc);
        Assert.Contains(option, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(videos));
    }
}
