using LaMo.Diffusion.Schedulers;
using LaMo.Diffusion.Schedulers.Flow;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Schedulers;

/// <summary>The flow scheduler configs read diffusers' files strictly, and the factory builds the class they name.</summary>
public class FlowSchedulerConfigTests
{
    // The scheduler_config.json of the Wan 2.1 T2V Diffusers folders (every key diffusers writes for UniPC).
    private const string WanUniPC = """
        {
          "_class_name": "UniPCMultistepScheduler", "_diffusers_version": "0.33.0.dev0",
          "beta_end": 0.02, "beta_schedule": "linear", "beta_start": 0.0001, "disable_corrector": [],
          "dynamic_thresholding_ratio": 0.995, "final_sigmas_type": "zero", "flow_shift": 3.0, "lower_order_final": true,
          "num_train_timesteps": 1000, "predict_x0": true, "prediction_type": "flow_prediction",
          "rescale_betas_zero_snr": false, "sample_max_value": 1.0, "solver_order": 2, "solver_p": null, "solver_type": "bh2",
          "steps_offset": 0, "thresholding": false, "timestep_spacing": "linspace", "trained_betas": null,
          "use_beta_sigmas": false, "use_exponential_sigmas": false, "use_flow_sigmas": true, "use_karras_sigmas": false
        }
        """;

    private const string Euler = """
        { "_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.40.0", "num_train_timesteps": 1000,
          "shift": 5.0, "use_dynamic_shifting": false, "base_shift": 0.5, "max_shift": 1.15, "base_image_seq_len": 256,
          "max_image_seq_len": 4096, "invert_sigmas": false, "shift_terminal": null, "use_karras_sigmas": false,
          "use_exponential_sigmas": false, "use_beta_sigmas": false, "time_shift_type": "exponential", "stochastic_sampling": false }
        """;

    [Fact]
    public void Factory_BuildsTheClassTheFileNames()
    {
        using var unipc = SchedulerFactory.CreateFlow(WanUniPC);
        var u = Assert.IsType<UniPCMultistepScheduler>(unipc);
        Assert.Equal(3.0, u.Config.FlowShift);
        Assert.Equal(UniPCSchedulerConfig.Wan(3.0).ToJson(), (u.Config with { DiffusersVersion = null }).ToJson());
        using var euler = SchedulerFactory.CreateFlow(Euler);
        Assert.Equal(5.0, Assert.IsType<FlowMatchEulerDiscreteScheduler>(euler).Config.Shift);
        Assert.True(SchedulerFactory.IsFlow(SchedulerFactory.UniPC) && SchedulerFactory.IsFlow(SchedulerFactory.FlowMatchEuler));
        Assert.False(SchedulerFactory.IsFlow(SchedulerFactory.DDIM));
    }

    [Fact]
    public void LoadFlow_ReadsTheFileInASchedulerFolder()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-flow-sched").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "scheduler_config.json"), WanUniPC);
            using var s = SchedulerFactory.LoadFlow(dir);
            Assert.Equal(SchedulerFactory.UniPC, s.ClassName);
            Assert.Throws<FileNotFoundException>(() => SchedulerFactory.LoadFlow(Path.Combine(dir, "missing.json")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(WanUniPC)]
    [InlineData(Euler)]
    public void UnknownKey_IsRefused_Naming(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => SchedulerFactory.CreateFlow(json.Replace("\"num_train_timesteps\"", "\"flow_shfit\": 3.0, \"num_train_timesteps\""), "x/scheduler_config.json"));
        Assert.Contains("flow_shfit", e.Message);
        Assert.StartsWith("x/scheduler_config.json", e.Message);
    }

    [Theory]
    [InlineData("\"use_flow_sigmas\": true", "\"use_flow_sigmas\": false", "use_flow_sigmas")]
    [InlineData("\"prediction_type\": \"flow_prediction\"", "\"prediction_type\": \"epsilon\"", "prediction_type")]
    [InlineData("\"thresholding\": false", "\"thresholding\": true", "thresholding")]
    [InlineData("\"solver_p\": null", "\"solver_p\": {}", "solver_p")]
    [InlineData("\"flow_shift\": 3.0", "\"flow_shift\": -1.0", "flow_shift")]
    [InlineData("\"final_sigmas_type\": \"zero\"", "\"final_sigmas_type\": \"one\"", "final_sigmas_type")]
    public void UniPC_UnimplementedOrInvalidValues_AreRefused_Naming(string from, string to, string key)
    {
        string json = WanUniPC.Replace(from, to);
        Assert.NotEqual(WanUniPC, json);
        var e = Assert.Throws<InvalidDataException>(() => SchedulerFactory.CreateFlow(json));
        Assert.Contains($"`{key}`", e.Message);
    }

    [Theory]
    [InlineData("\"stochastic_sampling\": false", "\"stochastic_sampling\": true", "stochastic_sampling")]
    [InlineData("\"use_dynamic_shifting\": false", "\"use_dynamic_shifting\": true", "use_dynamic_shifting")]
    [InlineData("\"shift\": 5.0", "\"shift\": 0.0", "shift")]
    [InlineData("\"time_shift_type\": \"exponential\"", "\"time_shift_type\": \"cubic\"", "time_shift_type")]
    public void Euler_UnimplementedOrInvalidValues_AreRefused_Naming(string from, string to, string key)
    {
        string json = Euler.Replace(from, to);
        Assert.NotEqual(Euler, json);
        var e = Assert.Throws<InvalidDataException>(() => SchedulerFactory.CreateFlow(json));
        Assert.Contains($"`{key}`", e.Message);
    }

    [Fact]
    public void Factory_RefusesOtherOrMissingClassNames()
    {
        Assert.Contains("CogVideoXDDIMScheduler", Assert.Throws<NotSupportedException>(() => SchedulerFactory.CreateFlow("{\"_class_name\": \"CogVideoXDDIMScheduler\"}")).Message);
        Assert.Contains("_class_name", Assert.Throws<NotSupportedException>(() => SchedulerFactory.CreateFlow("{\"shift\": 3.0}")).Message);
        Assert.Throws<InvalidDataException>(() => SchedulerFactory.CreateFlow("{ not json"));
    }

    [Fact]
    public void Configs_RoundTripThroughTheirJson()
    {
        var u = UniPCSchedulerConfig.Wan(5.0);
        Assert.Equal(u.ToJson(), UniPCSchedulerConfig.Parse(u.ToJson()).ToJson());
        Assert.Contains("\"flow_shift\": 5.0", u.ToJson());
        var e = new FlowMatchEulerSchedulerConfig { Shift = 3.0 };
        Assert.Equal(e, FlowMatchEulerSchedulerConfig.Parse(e.ToJson()));
    }

    [Fact]
    public void Step_BeforeSetTimesteps_OrPastTheEnd_SaysSo()
    {
        using var scope = NewDisposeScope();
        using var s = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan(3.0));
        var x = zeros(1, 2, 2);
        Assert.Contains("SetTimesteps", Assert.Throws<InvalidOperationException>(() => s.Step(x, 999, x)).Message);
        s.SetTimesteps(1);
        x = s.Step(x, s.Timesteps[0], x).PrevSample;
        Assert.Contains("finished", Assert.Throws<InvalidOperationException>(() => s.Step(x, 0, x)).Message);
    }

    [Fact]
    public void UniPCTimesteps_AreTruncated_EulerTimesteps_AreNot()
    {
        using var u = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan(3.0));
        u.SetTimesteps(10);
        Assert.Equal(999, u.Timesteps[0]);
        Assert.All(u.Timesteps, t => Assert.Equal(Math.Truncate(t), t));
        using var e = new FlowMatchEulerDiscreteScheduler(new FlowMatchEulerSchedulerConfig { Shift = 3.0 });
        e.SetTimesteps(10);
        Assert.Equal(1000, e.Timesteps[0]);
        Assert.Equal(0.00893f, e.Sigmas[^2], 5);   // shifted twice (README gotcha)
        Assert.Equal(0f, e.Sigmas[^1]);
    }
}
