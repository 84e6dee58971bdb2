using LaMo.Core;
using LaMo.Diffusion.Backbones;
using LaMo.Diffusion.Schedulers;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Motion;
using TorchSharp;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

/// <summary>No tensor is made on the CPU behind the back of a model, pipeline, loss, guidance or training step that runs
/// on another device. Without a GPU this is checked two ways: the compiled IL (every TorchSharp call that takes a device
/// is given one, outside code marked <see cref="HostTensorsAttribute"/>), and runs on the <c>meta</c> device where its ops
/// allow.</summary>
/// <remarks>Measured with TorchSharp 0.107.0 (LibTorch 2.10 CPU): on <c>meta</c>, element-wise math, reductions, cat,
/// interpolate, randn, backward and autograd.grad run, but convolutions ("convolution_overrideable not implemented"),
/// layer_norm and group_norm (native_batch_norm), scaled_dot_product_attention (where.self_out), index_select and even abs
/// have no meta kernel, and nothing can be read back (timesteps read on the host). Every transformer (patch embedding is
/// a convolution), both VAEs and the motion predictor therefore cannot run on meta: the IL check here and
/// <see cref="DefaultDeviceTrapTests"/> (every op for real, with the default device set to meta) cover them. The schedulers, noise levels, noise sources and the drift
/// loss run on meta below; a CPU tensor of more than 0 dimensions mixed into them would throw "Expected all tensors to be
/// on the same device" (the negative control shows it). A 0-dim CPU tensor mixes with any device, in PyTorch as on a GPU.</remarks>
[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class DeviceAgnosticTests
{
    private static Device Meta => META;
    [Fact]
    public void Library_MakesNoUnmarkedCpuTensor()
    {
        var offenders = HostTensorScanner.CpuDefaultCalls(typeof(HostTensorsAttribute).Assembly).Distinct().ToList();
        Assert.True(offenders.Count == 0,
            $"{offenders.Count} call(s) make a tensor on the default device whatever the model's device: pass the input's device or "
            + "an option's, or write device: CPU where the CPU is meant (CPU-only checks: [HostTensors(\"why\")]):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Scanner_FindsACpuTensorInCodeThatHasOne()
    {
        var offenders = HostTensorScanner.CpuDefaultCalls(typeof(DeviceAgnosticTests).Assembly).ToList();
        Assert.Contains(offenders, o => o.Contains(nameof(CpuZerosExample)));
        Assert.Contains(offenders, o => o.Contains(nameof(CpuArangeExample)));
        Assert.Contains(offenders, o => o.Contains(nameof(CpuDrawExample)));
        Assert.DoesNotContain(offenders, o => o.Contains(nameof(DeviceZerosExample)));
        Assert.DoesNotContain(offenders, o => o.Contains(nameof(MarkedExample)));
        Assert.DoesNotContain(offenders, o => o.Contains(nameof(ExplicitCpuExample)));
    }

    private static Tensor CpuZerosExample(Tensor x) => x.add(zeros(x.shape), Sc(1));

    private static Tensor CpuArangeExample(Tensor x) => x.add(arange(Sc(0), Sc(x.shape[0]), Sc(1), dtype: x.dtype), Sc(1));

    private static Tensor CpuDrawExample(Tensor x, Generator g) => x.add(randn(x.shape, generator: g), Sc(1));

    private static Tensor DeviceZerosExample(Tensor x) => x.add(zeros(x.shape, x.dtype, x.device), Sc(1));

    [HostTensors("test: code that only runs on the CPU")]
    private static Tensor MarkedExample(Tensor x) => x.add(arange(Sc(0), Sc(x.shape[0]), Sc(1), dtype: x.dtype), Sc(1));

    private static Tensor ExplicitCpuExample(Tensor x) => x.add(arange(Sc(0), Sc(x.shape[0]), Sc(1), dtype: x.dtype, device: CPU).to(x.device), Sc(1));

    [Fact]
    public void Meta_CatchesACpuTensorMixedIn()
    {
        using var x = zeros([2, 3], device: Meta);
        using var cpu = ones([2, 3]);
        var e = Assert.ThrowsAny<Exception>(() => x.add(cpu, Sc(1)));
        Assert.Contains("same device", e.Message);
        using var ok = x.add(ones([2, 3], device: Meta), Sc(1));
        Assert.Equal(DeviceType.META, ok.device_type);
    }

    [Theory]
    [InlineData(SchedulerFactory.DDIM)]
    [InlineData(SchedulerFactory.DPM)]
    public void CogVideoXSchedulers_StepAndAddNoise_StayOnTheSamplesDevice(string scheduler)
    {
        using var s = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, scheduler);
        s.SetTimesteps(4);
        using var scope = NewDisposeScope();
        var x = randn([1, 2, 4, 3, 3], device: Meta);
        using var g = new Generator(1);
        var noise = new GeneratorNoiseSource(g);
        foreach (int t in s.Timesteps)
        {
            var v = randn(x.shape, device: Meta);
            x = s.Step(v, t, x, noise).PrevSample;
            Assert.Equal(DeviceType.META, x.device_type);
        }
        // AddNoise reads its timesteps on the host (range-checked), which a meta tensor cannot give: CPU timesteps here;
        // the result must still follow the samples.
        var t0 = full([1], Sc(500), ScalarType.Int64);
        Assert.Equal(DeviceType.META, s.AddNoise(x, randn(x.shape, device: Meta), t0).device_type);
        Assert.Equal(DeviceType.META, s.GetVelocity(x, randn(x.shape, device: Meta), t0).device_type);
    }

    [Fact]
    public void FlowSchedulers_Step_StayOnTheSamplesDevice()
    {
        using var scope = NewDisposeScope();
        foreach (IFlowScheduler s in new IFlowScheduler[] { new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan(3.0)), new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { Shift = 3.0 }) })
        {
            using var _ = s;
            s.SetTimesteps(3);
            s.SetBeginIndex(0);
            var x = randn([1, 4, 2, 3, 3], device: Meta);
            foreach (double t in s.Timesteps) x = s.Step(randn(x.shape, device: Meta), t, x).PrevSample;
            Assert.Equal(DeviceType.META, x.device_type);
        }
    }

    [Fact]
    public void NoiseLevelsAndDraws_AnswerOnTheDeviceAsked()
    {
        using var scope = NewDisposeScope();
        using var levels = AlphaCumprodNoiseLevels.FromTable(NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B).AlphasCumprod);
        var t = full([2], Sc(10), ScalarType.Int64, Meta);
        Assert.Equal(DeviceType.META, levels.Sigma(t).device_type);   // AlphaCumprod is an index_select: no meta kernel
        using var g = new Generator(3);
        Assert.Equal(DeviceType.META, new GeneratorNoiseSource(g).Randn([2, 2], ScalarType.Float32, Meta).device_type);
        Assert.Equal(DeviceType.META, HostRandom.Randn([2], g, Meta).device_type);
    }

    [Fact]
    public void DriftLoss_AndItsGradient_StayOnTheLatentsDevice()
    {
        using var scope = NewDisposeScope();
        var x0Hat = randn([2, 5, 4, 3, 3], device: Meta).requires_grad_(true);
        var z0 = randn([2, 5, 4, 3, 3], device: Meta);
        var t = full([2], Sc(300), ScalarType.Int64, Meta);
        var r = new MotionDriftLoss().ComputeFromTimesteps(x0Hat, z0, t);
        Assert.Equal(DeviceType.META, r.Total.device_type);
        var grad = autograd.grad([r.Total], [x0Hat])[0];
        Assert.Equal(DeviceType.META, grad.device_type);
    }
}
