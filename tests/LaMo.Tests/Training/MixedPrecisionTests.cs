using LaMo.Core;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Training;
using LaMo.Workflows;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

/// <summary>LoRA fine-tuning with a bf16 base (the published recipe's precision): adapters, optimiser and losses in fp32.</summary>
[Collection("Torch")]
public sealed class MixedPrecisionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-bf16-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    private BackboneTrainingOptions Options(string run, string weightDtype) => new()
    {
        Cache = P("cache"), Out = P(run), Init = P("base"), Mode = "lora", Steps = 3, BatchSize = 2, WarmupSteps = 1,
        LearningRate = 1e-3, DriftLoss = true, WeightDtype = weightDtype, LogEvery = 1, CheckpointEvery = 10,
    };

    [Fact]
    public void LoraOnABFloat16Base_TrainsFloat32Adapters_CloseToTheFloat32Run()
    {
        RelyKit.SyntheticCache(_dir, clips: 4);
        manual_seed(3);
        using (var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny)) model.SavePretrained(P("base/transformer"));
        Directory.CreateDirectory(P("base/scheduler"));
        SchedulerConfig.CogVideoX2B.Save(P("base/scheduler/scheduler_config.json"));

        var fp32 = BackboneWorkflow.Run(Options("fp32", "fp32"));
        var bf16 = BackboneWorkflow.Run(Options("bf16", "bf16"));
        Assert.Equal(3, bf16.FinalStep);
        for (int i = 0; i < 3; i++)
        {
            double a = fp32.History[i].Metrics["loss"], b = bf16.History[i].Metrics["loss"];
            Assert.True(double.IsFinite(b) && Math.Abs(a - b) <= 0.05 * Math.Abs(a), $"step {i}: fp32 loss {a}, bf16 loss {b}");
        }
        Assert.NotEqual(fp32.History[0].Metrics["loss"], bf16.History[0].Metrics["loss"]);   // the base really ran in bf16

        var adapters = SafetensorsFile.LoadAll(P("bf16/lora/pytorch_lora_weights.safetensors"));
        Assert.NotEmpty(adapters);
        Assert.All(adapters.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.Contains(adapters, kv => kv.Key.Contains("lora_B", StringComparison.Ordinal) && kv.Value.abs().max().item<float>() > 0);   // B starts at 0
    }

    [Fact]
    public void Sampling_WithABFloat16Transformer_IsCloseToFloat32()
    {
        string demo = RelyKit.Repo("models/demo");
        var o = new SampleOptions(Path.Combine(demo, "base"), ["a red ball moves right"], [4], P("fp32"), Steps: 4, Frames: 9, Size: 32,
            Lora: Path.Combine(demo, "ft-lamo-s0", "pytorch_lora_weights.safetensors"), Format: "gif");
        var a = SampleWorkflow.Run(o)[0];
        var b = SampleWorkflow.Run(o with { Out = P("bf16"), Dtype = "bf16" })[0];
        var (va, vb) = (LaMo.Video.VideoDecoder.Decode(a.Path), LaMo.Video.VideoDecoder.Decode(b.Path));
        double mad = va.Rgb.Zip(vb.Rgb, (x, y) => Math.Abs(x - y)).Average();
        Assert.True(mad < 8, $"mean |fp32 − bf16| = {mad:F2} of 255");
        Assert.Throws<ArgumentException>(() => SampleWorkflow.Run(o with { Out = P("bad"), Dtype = "int8" }));
    }

    [Fact]
    public void HalfPrecisionWeights_WithoutLora_AreRefusedNamingTheOption()
    {
        var o = new BackboneTrainingOptions { Cache = "c", Out = "o", Init = "i", Mode = "full", WeightDtype = "bf16" };
        Assert.Contains("weight_dtype", Assert.Throws<ArgumentException>(() => o.Validate()).Message);
        Assert.Contains("weight_dtype", Assert.Throws<ArgumentException>(() => (o with { Mode = "lora", WeightDtype = "int8" }).Validate()).Message);
    }
}
