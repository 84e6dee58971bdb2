using LaMo.Core;
using LaMo.Diffusion.Pipeline;
using LaMo.Models.Lora;
using LaMo.Video;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Workflows;

/// <summary>Issue 16 §3: <c>lamo sample --lora-scale</c>, and a LoRA file without rank metadata (another trainer's).</summary>
[Collection("Torch")]
public sealed class SampleLoraTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-lora-scale-").FullName;
    private readonly string _pipe;

    public SampleLoraTests() => _pipe = RelyKit.TinyPipeline(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    // A rank-4 LoRA with random (non-zero) B, saved with or without rank metadata.
    private string Lora(bool metadata)
    {
        string path = Path.Combine(_dir, metadata ? "with-meta.safetensors" : "no-meta.safetensors");
        using var scope = NewDisposeScope();
        using var pipe = PipelineFolder.Load(_pipe);
        using var set = LoraAdapterSet.Inject(pipe.Transformer, new LoraConfig(4, 8, ["to_q", "to_v", "to_out.0"]));
        manual_seed(11);
        using (no_grad())
            foreach (var n in set.ModuleNames) set[n].WeightB.normal_(0, 0.5);
        if (metadata) set.Save(path);
        else SafetensorsWriter.Save(path, set.StateDict());
        return path;
    }

    private byte[] Sample(string name, params string[] extra)
    {
        string output = Path.Combine(_dir, name);
        RelyKit.Ok(["sample", "--pipeline", _pipe, "--prompt", "a red ball moves right", "--steps", "2", "--cfg", "1", "--frames", "9", "--size", "32",
            "--out", output, .. extra]);
        return VideoDecoder.Decode(Path.Combine(output, "p000_s0.mp4")).Rgb;
    }

    [Fact]
    public void LoraScale_ZeroIsTheBaseModel_OneAndHalfDiffer()
    {
        string lora = Lora(metadata: true);
        var none = Sample("none");
        var zero = Sample("zero", "--lora", lora, "--lora-scale", "0");
        var half = Sample("half", "--lora", lora, "--lora-scale", "0.5");
        var one = Sample("one", "--lora", lora);
        Assert.Equal(none, zero);
        Assert.NotEqual(one, zero);
        Assert.NotEqual(one, half);
        Assert.Contains("\"lora_scale\": 0.5", File.ReadAllText(Path.Combine(_dir, "half", "sample.json")));
    }

    [Fact]
    public void ReadConfig_NoRankMetadata_RankAndTargetsFromTheTensors()
    {
        string lora = Lora(metadata: false);
        var config = LoraAdapterSet.ReadConfig(lora);
        Assert.Equal(4, config.Rank);
        Assert.Equal(4, config.Alpha);   // no alpha either: α = r, update scale 1 (as diffusers loads such files)
        Assert.Equal(["to_out.0", "to_q", "to_v"], config.ResolvedTargets.Order(StringComparer.Ordinal));
        Assert.NotEqual(Sample("plain"), Sample("lora-no-meta", "--lora", lora));
    }
}
