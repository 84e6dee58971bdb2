using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using LaMo.Models.WanVae;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Pipeline;

/// <summary>Wan pipeline folders: save → load round-trips bit-identically, and a hand-broken Wan folder fails with the
/// same kind of one-line, named error as the same breakage of a CogVideoX folder.</summary>
[Collection("Torch")]
public sealed class WanPipelineFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-wanfolder-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void SaveThenLoad_UniPC_GeneratesBitIdentically()
    {
        string dir = Path.Combine(_dir, "wan");
        using var pipe = TinyWanPipelineFactory.Create(seed: 11);
        PipelineFolder.SaveWan(dir, pipe);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "model_index.json")))!;
        Assert.Equal("WanPipeline", (string?)index["_class_name"]);
        Assert.Equal("AutoencoderKLWan", (string?)index["vae"]![1]);
        Assert.Equal("UniPCMultistepScheduler", (string?)index["scheduler"]![1]);
        using var loaded = PipelineFolder.LoadWan(dir);
        Assert.IsType<UniPCMultistepScheduler>(loaded.Scheduler);
        Assert.IsType<WordTextEncoder>(loaded.TextEncoder);
        Assert.True(loaded.OwnsComponents);
        using var a = pipe.Generate(TinyWanPipelineFactory.Request());
        using var b = loaded.Generate(TinyWanPipelineFactory.Request());
        Assert.True(a.Latents.allclose(b.Latents, 0, 0));
        Assert.True(a.Video!.allclose(b.Video!, 0, 0));
    }

    [Fact]
    public void SaveThenLoad_FlowMatchEulerWithoutVae_KeepsTheSchedulerConfigAndExpandTimesteps()
    {
        string dir = Path.Combine(_dir, "wan-euler");
        using var full = TinyWanPipelineFactory.Create(seed: 12, new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { Shift = 5.0 }));
        using var pipe = new WanPipeline(full.Transformer, null, full.Scheduler, full.TextEncoder) { ExpandTimesteps = true };
        PipelineFolder.SaveWan(dir, pipe);
        Assert.False(Directory.Exists(Path.Combine(dir, "vae")));
        using var loaded = PipelineFolder.LoadWan(dir);
        Assert.Null(loaded.Vae);
        Assert.True(loaded.ExpandTimesteps);
        Assert.Equal(5.0, Assert.IsType<FlowMatchEulerDiscreteScheduler>(loaded.Scheduler).Config.Shift);
        var request = TinyWanPipelineFactory.Request() with { Decode = false };
        using var a = pipe.Generate(request);
        using var b = loaded.Generate(request);
        Assert.True(a.Latents.allclose(b.Latents, 0, 0));
    }

    /// <summary>A breakage applied to a pipeline folder, by family.</summary>
    public static TheoryData<string> Breakages => new()
    {
        "missing transformer weights", "missing vae config", "missing scheduler config", "wrong transformer class",
        "mismatched weight shape", "missing vae weight", "vae latent channels differ from the transformer's",
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void BrokenFolder_WanFailsLikeCogVideoX_WithAOneLineNamedError(string breakage)
    {
        var cog = Break(CogVideoXFolder(), breakage, wan: false);
        var wan = Break(WanFolder(), breakage, wan: true);
        var ce = Record.Exception(() => PipelineFolder.Load(cog).Dispose());
        var we = Record.Exception(() => PipelineFolder.LoadWan(wan).Dispose());
        Assert.NotNull(ce);
        Assert.NotNull(we);
        Assert.Equal(ce.GetType(), we.GetType());
        Assert.DoesNotContain('\n', we.Message);
        Assert.DoesNotContain('\n', ce.Message);
        Assert.Contains(Named(breakage, wan: false), ce.Message);
        Assert.Contains(Named(breakage, wan: true), we.Message);
    }

    [Theory]
    [InlineData("_class_name", "\"CogVideoXPipeline\"", typeof(InvalidDataException), "expected 'WanPipeline'")]
    [InlineData("vae", "[\"diffusers\", \"AutoencoderKLCogVideoX\"]", typeof(InvalidDataException), "vae is 'AutoencoderKLCogVideoX'")]
    [InlineData("scheduler", "[\"diffusers\", \"CogVideoXDDIMScheduler\"]", typeof(InvalidDataException), "scheduler is 'CogVideoXDDIMScheduler'")]
    [InlineData("text_encoder", "[\"transformers\", \"CLIPTextModel\"]", typeof(InvalidDataException), "text_encoder is 'CLIPTextModel'")]
    [InlineData("transformer_2", "[\"diffusers\", \"WanTransformer3DModel\"]", typeof(NotSupportedException), "transformer_2")]
    [InlineData("boundary_ratio", "0.875", typeof(NotSupportedException), "boundary_ratio")]
    [InlineData("image_encoder", "[\"transformers\", \"CLIPVisionModel\"]", typeof(InvalidDataException), "unknown key 'image_encoder'")]
    [InlineData("transformer", "null", typeof(InvalidDataException), "no transformer")]
    public void ModelIndex_WrongClassOrUnsupportedEntry_IsNamed(string key, string json, Type expected, string fragment)
    {
        string dir = WanFolder();
        string path = Path.Combine(dir, "model_index.json");
        var index = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        index[key] = JsonNode.Parse(json);
        File.WriteAllText(path, index.ToJsonString());
        var e = Assert.Throws(expected, () => PipelineFolder.LoadWan(dir).Dispose());
        Assert.Contains(fragment, e.Message);
        Assert.Contains("model_index.json", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void SchedulerClass_DisagreeingWithModelIndex_IsNamed_AndTheCogVideoXLoaderPointsToLoadWan()
    {
        string dir = WanFolder();
        string schedulerFile = Path.Combine(dir, "scheduler", "scheduler_config.json");
        File.WriteAllText(schedulerFile, new FlowMatchEulerSchedulerConfig().ToJson());
        var e = Assert.Throws<InvalidDataException>(() => PipelineFolder.LoadWan(dir).Dispose());
        Assert.Contains("FlowMatchEulerDiscreteScheduler", e.Message);
        Assert.Contains("model_index.json says 'UniPCMultistepScheduler'", e.Message);
        Assert.Contains("LoadWan", Assert.Throws<InvalidDataException>(() => PipelineFolder.Load(dir).Dispose()).Message);
        Assert.Throws<FileNotFoundException>(() => PipelineFolder.LoadWan(Path.Combine(_dir, "nowhere")));
    }

    private string CogVideoXFolder()
    {
        string dir = Path.Combine(_dir, "cog-" + Guid.NewGuid().ToString("N")[..8]);
        using var pipe = TinyPipelineFactory.Create(seed: 1);
        PipelineFolder.Save(dir, pipe.Transformer, pipe.Vae, pipe.Scheduler.Config, (WordTextEncoder)pipe.TextEncoder!);
        return dir;
    }

    private string WanFolder()
    {
        string dir = Path.Combine(_dir, "wan-" + Guid.NewGuid().ToString("N")[..8]);
        using var pipe = TinyWanPipelineFactory.Create(seed: 1);
        PipelineFolder.SaveWan(dir, pipe);
        return dir;
    }

    private static string Named(string breakage, bool wan) => breakage switch
    {
        "missing transformer weights" => "transformer",
        "missing vae config" => "config.json",
        "missing scheduler config" => "scheduler_config.json",
        "wrong transformer class" => "_class_name",
        "mismatched weight shape" => "proj_out.bias",
        "missing vae weight" => VaeKey(wan),
        "vae latent channels differ from the transformer's" => "in_channels",
        _ => throw new ArgumentOutOfRangeException(nameof(breakage)),
    };

    private static string Break(string dir, string breakage, bool wan)
    {
        switch (breakage)
        {
            case "missing transformer weights":
                File.Delete(Path.Combine(dir, "transformer", "diffusion_pytorch_model.safetensors"));
                break;
            case "missing vae config":
                File.Delete(Path.Combine(dir, "vae", "config.json"));
                break;
            case "missing scheduler config":
                File.Delete(Path.Combine(dir, "scheduler", "scheduler_config.json"));
                break;
            case "wrong transformer class":
                EditJson(Path.Combine(dir, "transformer", "config.json"), o => o["_class_name"] = "UNet2DConditionModel");
                break;
            case "mismatched weight shape":
                EditWeights(Path.Combine(dir, "transformer", "diffusion_pytorch_model.safetensors"), w => w["proj_out.bias"] = zeros(3));
                break;
            case "missing vae weight":
                EditWeights(Path.Combine(dir, "vae", "diffusion_pytorch_model.safetensors"), w => w.Remove(VaeKey(wan)));
                break;
            case "vae latent channels differ from the transformer's":
                string vaeDir = Path.Combine(dir, "vae");
                Directory.Delete(vaeDir, true);
                if (wan)
                {
                    using var vae = new AutoencoderKLWan(TinyWanPipelineFactory.VaeConfig with
                    {
                        ZDim = 8, LatentsMean = [0, 0, 0, 0, 0, 0, 0, 0], LatentsStd = [1, 1, 1, 1, 1, 1, 1, 1],
                    });
                    vae.SavePretrained(vaeDir);
                }
                else
                {
                    using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Tiny with { LatentChannels = 8 });
                    vae.SavePretrained(vaeDir);
                }
                break;
        }
        return dir;
    }

    // The decoder's last convolution: a plain Conv3d subclass in Wan, a wrapper around one in CogVideoX.
    private static string VaeKey(bool wan) => wan ? "decoder.conv_out.bias" : "decoder.conv_out.conv.bias";

    private static void EditJson(string path, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(o);
        File.WriteAllText(path, o.ToJsonString());
    }

    private static void EditWeights(string path, Action<Dictionary<string, Tensor>> edit)
    {
        var weights = SafetensorsFile.LoadAll(path);
        edit(weights);
        SafetensorsWriter.Save(path, weights);
        foreach (var t in weights.Values) t.Dispose();
    }
}
