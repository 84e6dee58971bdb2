using System.Text.Json.Nodes;
using Xunit;

namespace LaMo.Tests.Experiment;

/// <summary>Issue 19 item 5: <c>lamo experiment</c> on a tiny Wan pipeline: fresh fine-tunes through the backbone seam,
/// continuation and text-to-video with the LoRAs, Motion Prior Guidance and FlowMo, the reference rows through the Wan VAE;
/// the gate refused in one line before anything is written.</summary>
[Collection("Torch")]
public sealed class StudyWanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-study-wan-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Experiment_OnAWanBase_RunsBothModesWithEveryArm_AndRefusesTheGate()
    {
        RelyKit.Ok("pipeline", "init", "--family", "wan", "--out", P("models/base"));
        string[] common = ["experiment", "--models", P("models"), "--train-seeds", "0", "--steps", "1", "--train-clips", "1", "--sampling-seeds", "0",
            "--splits", "test-id", "--scenarios", "s1", "--clips", "1", "--extended-clips", "0", "--t2v-clips", "1", "--size", "32", "--frames", "9",
            "--sample-steps", "2", "--cfg", "2", "--bootstrap", "20"];

        var (rc, _, err) = RelyKit.Cli([.. common, "--variants", "baseline,lamo", "--gate", "test-id", "--out", P("gated")]);
        Assert.Equal(2, rc);
        Assert.Contains("--gate", err);
        Assert.False(Directory.Exists(P("gated")));

        RelyKit.Ok([.. common, "--variants", "baseline,+drift,+guidance,lamo,flowmo", "--modes", "continuation,text-to-video", "--out", P("run")]);
        var r = JsonNode.Parse(File.ReadAllText(P("run/results.json")))!;
        var modes = r["units"]!.AsArray().Select(u => (string)u!["mode"]!).Distinct().Order().ToArray();
        Assert.Equal(["continuation", "text-to-video"], modes);
        Assert.Contains(r["units"]!.AsArray(), u => (string)u!["mode"]! == "text-to-video" && (string)u!["scenario"]! == "parabola");
        var rows = r["physics"]!["rows"]!.AsArray().Select(x => (string)x!["method"]!).ToArray();
        foreach (var arm in new[] { "baseline", "+drift", "+guidance", "lamo", "flowmo", "gt_floor", "vae_floor" }) Assert.Contains(arm, rows);
        Assert.Contains("\"wan\"", File.ReadAllText(P("run/finetunes/runs/ft-lamo-s0/run.json")));   // trained through the Wan path
        Assert.True(File.Exists(P("run/finetunes/ft-lamo-s0/predictor/model.safetensors")));
    }
}
