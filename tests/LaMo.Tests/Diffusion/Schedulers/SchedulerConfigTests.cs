using System.Text.Json;
using LaMo.Diffusion.Schedulers;
using Xunit;

namespace LaMo.Tests.Diffusion.Schedulers;

public class SchedulerConfigTests
{
    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LaMo.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new DirectoryNotFoundException("repository root (LaMo.slnx) not found above the test assembly");
    }

    [Fact]
    public void ToJson_Parse_RoundTripsAndWritesPythonFloats()
    {
        var json = SchedulerConfig.CogVideoX2B.ToJson();
        Assert.Contains("\"snr_shift_scale\": 3.0", json);
        Assert.Contains("\"_class_name\": \"CogVideoXDDIMScheduler\"", json);
        Assert.Contains("\"prediction_type\": \"v_prediction\"", json);
        Assert.Contains("\"trained_betas\": null", json);
        var back = SchedulerConfig.Parse(json);
        Assert.Equal(SchedulerConfig.CogVideoX2B, back);
        Assert.Equal(json, back.ToJson());
    }

    [Fact]
    public void Save_Load_RoundTripsThroughFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lamo-sched-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var config = SchedulerConfig.CogVideoX5B with { TimestepSpacing = TimestepSpacing.Leading, StepsOffset = 1 };
            config.Save(Path.Combine(dir, "scheduler_config.json"));
            Assert.Equal(config, SchedulerConfig.Load(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Parse_UnknownKey_RejectedNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => SchedulerConfig.Parse("{\"num_train_timesteps\": 1000, \"thresholding\": false}"));
        Assert.Contains("thresholding", e.Message);
    }

    [Theory]
    [InlineData("{\"beta_start\": -0.1}", "beta_start")]
    [InlineData("{\"num_train_timesteps\": 1}", "num_train_timesteps")]
    [InlineData("{\"snr_shift_scale\": 0.0}", "snr_shift_scale")]
    [InlineData("{\"steps_offset\": -1}", "steps_offset")]
    [InlineData("{\"num_train_timesteps\": 3, \"trained_betas\": [0.1, 0.2]}", "trained_betas")]
    [InlineData("{\"prediction_type\": \"flow\"}", "prediction_type")]
    [InlineData("{\"timestep_spacing\": \"karras\"}", "timestep_spacing")]
    public void Parse_BadField_ErrorNamesField(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => SchedulerConfig.Parse(json));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Validate_BadField_ArgumentExceptionParamNameIsJsonKey()
    {
        var e = Assert.Throws<ArgumentException>(() => (SchedulerConfig.CogVideoX2B with { BetaEnd = 2 }).Validate());
        Assert.Equal("beta_end", e.ParamName);
    }

    [Fact]
    public void Parse_EmptyObject_UsesDiffusersConstructorDefaults()
    {
        var c = SchedulerConfig.Parse("{}");
        Assert.Equal(PredictionType.Epsilon, c.PredictionType);
        Assert.Equal(TimestepSpacing.Leading, c.TimestepSpacing);
        Assert.True(c.ClipSample);
        Assert.False(c.RescaleBetasZeroSnr);
        Assert.Equal(3.0, c.SnrShiftScale);
    }

    [Theory]
    [InlineData("configs/cogvideox-2b/scheduler/scheduler_config.json", 3.0)]
    [InlineData("configs/cogvideox-5b/scheduler/scheduler_config.json", 1.0)]
    public void Load_ShippedConfigs_EqualPresets(string path, double shift)
    {
        var c = SchedulerConfig.Load(RepoFile(path));
        Assert.Equal(shift == 3.0 ? SchedulerConfig.CogVideoX2B : SchedulerConfig.CogVideoX5B, c);
        using var s = SchedulerFactory.Create(c, SchedulerFactory.DPM);
        Assert.IsType<CogVideoXDPMScheduler>(s);
        Assert.IsType<CogVideoXDDIMScheduler>(SchedulerFactory.Create(c));
    }

    [Fact]
    public void Preset2B_EqualsGoldenSidecarConfig()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenFixture.Folder, "cogvideox_ddim_scheduler.json")));
        var scalars = doc.RootElement.GetProperty("scalars");
        var twoB = SchedulerConfig.Parse(scalars.GetProperty("scheduler_config").GetRawText());
        var fiveB = SchedulerConfig.Parse(scalars.GetProperty("scheduler_config_5b").GetRawText());
        Assert.Equal(SchedulerConfig.CogVideoX2B with { ClassName = null, DiffusersVersion = null }, twoB);
        Assert.Equal(SchedulerConfig.CogVideoX5B with { ClassName = null, DiffusersVersion = null }, fiveB);
    }

    [Fact]
    public void Factory_UnknownClass_ThrowsNotSupported() =>
        Assert.Throws<NotSupportedException>(() => SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, "EulerDiscreteScheduler"));
}
