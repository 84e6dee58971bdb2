using System.Text.Json.Nodes;
using LaMo.Training;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

/// <summary>The training plans carry the device but leave it out of their JSON (run.json, checkpoints): the device does
/// not change the math, so run folders stay as they were and a run can resume on another device.</summary>
public sealed class DeviceInPlanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-devplan-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void BackbonePlan_DeviceDefaultsToCpuAndIsNotWritten()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        var plan = BackboneTrainingPlan.Resolve(new BackboneTrainingOptions
        {
            Cache = cache, Out = Path.Combine(_dir, "run"), TransformerConfig = RelyKit.Repo("configs/tiny/transformer/config.json"),
            DriftLoss = true, Predictor = true, PredictorConfig = "tiny",
        });
        Assert.Equal(TorchSharp.DeviceType.CPU, plan.Device.type);
        var elsewhere = plan with { Device = META };
        Assert.Equal(TorchSharp.DeviceType.META, elsewhere.Device.type);
        Assert.True(JsonNode.DeepEquals(plan.ToJson(), elsewhere.ToJson()));
        Assert.DoesNotContain("device", plan.ToJson().ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PredictorPlan_DeviceDefaultsToCpuAndIsNotWritten()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        var plan = PredictorTrainingPlan.Resolve(new PredictorTrainingOptions { Cache = cache, Out = Path.Combine(_dir, "prior"), PredictorConfig = "tiny" });
        Assert.Equal(TorchSharp.DeviceType.CPU, plan.Device.type);
        var elsewhere = plan with { Device = META };
        Assert.True(JsonNode.DeepEquals(plan.ToJson(), elsewhere.ToJson()));
        Assert.DoesNotContain("device", plan.ToJson().ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }
}
