using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>The published sampling recipe's switches reach the pipeline: scheduler override, first-order DPM, dynamic CFG,
/// negative prompt — each changes the video, and the same settings reproduce it.</summary>
[Collection("Torch")]
public sealed class SampleRecipeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-recipe-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private byte[] Render(string name, SampleOptions o) =>
        LaMo.Video.VideoDecoder.Decode(SampleWorkflow.Run(o with { Out = Path.Combine(_dir, name) })[0].Path).Rgb;

    [Fact]
    public void EachSwitch_ChangesTheVideo_AndIsReproducible()
    {
        var o = new SampleOptions(RelyKit.Repo("models/demo/base"), ["a red ball moves right"], [3], "", Steps: 6, Frames: 9, Size: 32, Format: "gif",
            Cfg: 6);
        var ddim = Render("ddim", o);
        var dpm = Render("dpm", o with { Scheduler = "dpm" });
        var dpm1 = Render("dpm1", o with { Scheduler = "dpm", FirstOrderDpm = true });
        var dyn = Render("dyn", o with { DynamicCfg = true });
        var neg = Render("neg", o with { NegativePrompt = "a blue ball" });
        foreach (var (name, v) in new[] { ("dpm", dpm), ("dpm first order", dpm1), ("dynamic cfg", dyn), ("negative prompt", neg) })
            Assert.False(v.AsSpan().SequenceEqual(ddim), $"{name} gave the default video");
        Assert.False(dpm.AsSpan().SequenceEqual(dpm1));
        Assert.True(Render("dpm1-again", o with { Scheduler = "dpm", FirstOrderDpm = true }).AsSpan().SequenceEqual(dpm1));
        Assert.Throws<ArgumentException>(() => Render("bad", o with { Scheduler = "euler" }));
    }
}
