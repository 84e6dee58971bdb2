using LaMo.Core;
using System.Diagnostics;
using System.Text.RegularExpressions;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Fuzz;
using LaMo.Reliability;
using LaMo.Workflows;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Reliability;

/// <summary>Issue 9, item 1: only safetensors and JSON are parsed; hostile files and configs are refused cleanly and
/// before anything is allocated from their numbers.</summary>
public sealed class UntrustedInputTests
{
    [Fact]
    public void Source_UsesNoUnsafeDeserializerOrOtherWeightFormat()
    {
        string[] banned =
        [
            "BinaryFormatter", "NetDataContractSerializer", "SoapFormatter", "LosFormatter", "ObjectStateFormatter",
            "TypeNameHandling", "XmlSerializer", "DataContractSerializer", "pickle", "Unpickler", "torch.load", "jit.load",
            "MessagePack", "YamlDotNet", ".pt\"", ".pth\"", ".ckpt\"", ".bin\"", ".onnx\"", ".gguf\"",
        ];
        // TorchSharp's own Module.load/save format (not safetensors) and torch.load of pickles.
        var moduleLoad = new Regex(@"\.load\(\s*(path|file|stream|new\s+BinaryReader)");
        var hits = new List<string>();
        foreach (var file in Directory.EnumerateFiles(RelyKit.Repo("src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/") || file.Contains("/bin/")) continue;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string l = lines[i];
                if (l.TrimStart().StartsWith("//", StringComparison.Ordinal) || l.TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
                foreach (var b in banned)
                    if (l.Contains(b, StringComparison.Ordinal)) hits.Add($"{file}:{i + 1}: {b}");
                if (moduleLoad.IsMatch(l)) hits.Add($"{file}:{i + 1}: Module.load");
            }
        }
        Assert.True(hits.Count == 0, "unsafe or non-safetensors loading in src:\n" + string.Join('\n', hits));
    }

    [Fact]
    public void SafetensorsFuzz_MutatedAndGenerated_OnlyCleanOutcomes()
    {
        var o = SafetensorsFuzzEngine.Run(4000, seed: 9001);
        Assert.Empty(o.Failures);
        Assert.Equal(4000, o.Accepted + o.Rejected);
        Assert.InRange(o.Generated, 1500, 2500);
        Assert.True(o.Accepted > 400 && o.Rejected > 1000, $"accepted {o.Accepted}, rejected {o.Rejected}: the fuzzer is not exercising both paths");
    }

    [Fact]
    public void GeneratedFiles_ManyAreValid_SoTheGeneratorReachesDeepCode()
    {
        var rng = new Random(5);
        string dir = Directory.CreateTempSubdirectory("lamo-gen-").FullName;
        try
        {
            int ok = 0;
            for (int i = 0; i < 300; i++)
            {
                string p = Path.Combine(dir, "g.safetensors");
                File.WriteAllBytes(p, SafetensorsFuzzEngine.Generate(rng));
                try { using var f = LaMo.Core.SafetensorsFile.Open(p); if (f.Entries.Count > 0) ok++; }
                catch (InvalidDataException) { }
            }
            Assert.True(ok > 30, $"only {ok} of 300 generated files with tensors were valid");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ConfigFuzz_EveryConfigType_OnlyCleanRejections()
    {
        var o = ConfigFuzzEngine.Run(3000, seed: 77);
        Assert.True(o.Failures.Count == 0, string.Join('\n', o.Failures.Take(5)));
        Assert.True(o.Accepted > 50 && o.Rejected > 1000, $"accepted {o.Accepted}, rejected {o.Rejected}");
        Assert.True(o.MaxManagedBytes < 16 << 20, $"a config case allocated {o.MaxManagedBytes:N0} bytes");
    }

    public static TheoryData<string, string> AbsurdConfigs => new()
    {
        { "transformer", """{"num_layers": 1000000000}""" },
        { "transformer", """{"in_channels": 1000000000000}""" },
        { "transformer", """{"num_attention_heads": 1024, "attention_head_dim": 64, "num_layers": 1024}""" },
        { "transformer", """{"num_layers": "30"}""" },
        { "transformer", """{"num_layers": 30, "surprise": 1}""" },
        { "transformer", """{"attention_head_dim": null}""" },
        { "vae", """{"block_out_channels": [1000000000000]}""" },
        { "vae", """{"block_out_channels": [8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192], "down_block_types": ["CogVideoXDownBlock3D","CogVideoXDownBlock3D","CogVideoXDownBlock3D","CogVideoXDownBlock3D","CogVideoXDownBlock3D","CogVideoXDownBlock3D","CogVideoXDownBlock3D","CogVideoXDownBlock3D"], "up_block_types": ["CogVideoXUpBlock3D","CogVideoXUpBlock3D","CogVideoXUpBlock3D","CogVideoXUpBlock3D","CogVideoXUpBlock3D","CogVideoXUpBlock3D","CogVideoXUpBlock3D","CogVideoXUpBlock3D"], "layers_per_block": 64}""" },
        { "vae", """{"latent_channels": "16"}""" },
        { "vae", """{"extra_field": true}""" },
        { "scheduler", """{"num_train_timesteps": 2000000000}""" },
        { "scheduler", """{"num_train_timesteps": "1000"}""" },
        { "scheduler", """{"unknown": 1}""" },
        { "predictor", """{"hidden_channels": 1000000000, "num_groups": 8}""" },
        { "predictor", """{"num_res_blocks": 1000000000}""" },
        { "predictor", """{"hidden_channels": 65536, "num_res_blocks": 1024}""" },
        { "predictor", """{"hidden_channels": [256]}""" },
        { "predictor", """{"hidden" : }""" },
        { "backbone_options", """{"cache":"c","out":"o","transformer_config":"t","batch_size":1000000000}""" },
        { "backbone_options", """{"cache":"c","out":"o","transformer_config":"t","lora_rank":1000000000}""" },
        { "backbone_options", """{"cache":"c","out":"o","transformer_config":"t","steps":"ten"}""" },
        { "backbone_options", """{"out":"o","transformer_config":"t"}""" },
        { "backbone_options", """{"cache":"c","out":"o","transformer_config":"t","bogus":1}""" },
        { "predictor_options", """{"cache":"c","out":"o","batch_size":1000000000}""" },
        { "predictor_options", """{"cache":"c","out":"o","learning_rate":"fast"}""" },
    };

    [Theory]
    [MemberData(nameof(AbsurdConfigs))]
    public void AbsurdOrMalformedConfig_IsRejectedBeforeAllocating(string type, string json)
    {
        var parse = ConfigFuzzEngine.Types.Single(t => t.Name == type).Parse;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var e = Record.Exception(() => parse(json));
        Assert.NotNull(e);
        Assert.True(e is InvalidDataException or ArgumentException or NotSupportedException, $"{e.GetType().Name}: {e.Message}");
        Assert.True(sw.ElapsedMilliseconds < 2000, $"took {sw.ElapsedMilliseconds} ms");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "allocated more than 4 MB while refusing");
    }

    [Fact]
    public void AbsurdConfigsOnDisk_AreRefusedByTheLoadingPaths()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-absurd-").FullName;
        try
        {
            // A pipeline folder whose transformer is 5·10^13 parameters: lamo sample refuses it from config.json alone.
            Directory.CreateDirectory(Path.Combine(dir, "pipe", "transformer"));
            File.WriteAllText(Path.Combine(dir, "pipe", "transformer", "config.json"),
                """{"num_attention_heads": 1024, "attention_head_dim": 64, "num_layers": 1024}""");
            var e = Assert.Throws<InvalidDataException>(() => SampleWorkflow.Run(new SampleOptions(Path.Combine(dir, "pipe"), ["x"], [0], Path.Combine(dir, "out"))));
            Assert.Contains("parameters", e.Message);
            // A scheduler with 2·10^9 timesteps.
            Directory.CreateDirectory(Path.Combine(dir, "pipe2", "scheduler"));
            File.WriteAllText(Path.Combine(dir, "pipe2", "scheduler", "scheduler_config.json"), """{"num_train_timesteps": 2000000000}""");
            Assert.Throws<InvalidDataException>(() => LaMo.Diffusion.Pipeline.PipelineFolderLimits.Check(Path.Combine(dir, "pipe2")));
            // The library's loaders refuse them too, not only the CLI's workflows.
            Directory.CreateDirectory(Path.Combine(dir, "pipe2", "transformer"));
            File.Copy(Path.Combine(dir, "pipe", "transformer", "config.json"), Path.Combine(dir, "pipe2", "transformer", "config.json"));
            Assert.Contains("parameters", Assert.Throws<InvalidDataException>(() =>
                LaMo.Models.CogVideoX.CogVideoXTransformer3DModel.FromPretrained(Path.Combine(dir, "pipe2", "transformer"))).Message);
            Assert.Contains("parameters", Assert.Throws<InvalidDataException>(() =>
                LaMo.Diffusion.Pipeline.PipelineFolder.Load(Path.Combine(dir, "pipe2"))).Message);
            // A predictor folder with a billion-channel config.
            Directory.CreateDirectory(Path.Combine(dir, "pred"));
            File.WriteAllText(Path.Combine(dir, "pred", "config.json"), """{"hidden_channels": 1000000000, "num_groups": 8}""");
            File.WriteAllBytes(Path.Combine(dir, "pred", "model.safetensors"), new byte[16]);
            Assert.Throws<InvalidDataException>(() => MotionPriorFolder.Load(Path.Combine(dir, "pred")));
            // A 10 MB "config" is not read at all.
            File.WriteAllBytes(Path.Combine(dir, "big.json"), new byte[10 << 20]);
            Assert.Throws<InvalidDataException>(() => TransformerLimits.Load(Path.Combine(dir, "big.json")));
            // lamo train with an absurd transformer config: exit 1 (bad file), nothing allocated or written.
            string cache = RelyKit.SyntheticCache(dir, clips: 2);
            var (rc, _, err) = RelyKit.Cli("train", "--cache", cache, "--out", Path.Combine(dir, "run"),
                "--set", $"transformer_config={Path.Combine(dir, "pipe", "transformer", "config.json")}");
            Assert.Equal(1, rc);
            Assert.Contains("parameters", err);
            Assert.False(Directory.Exists(Path.Combine(dir, "run", "checkpoints")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("configs/tiny/transformer/config.json")]
    [InlineData("configs/demo/transformer/config.json")]
    [InlineData("configs/cogvideox-2b/transformer/config.json")]
    [InlineData("configs/cogvideox-5b/transformer/config.json")]
    public void TransformerParameterFormula_MatchesTheModuleBuiltOnMeta(string config)
    {
        var c = CogVideoXTransformerConfig.Load(RelyKit.Repo(config));
        using var m = new CogVideoXTransformer3DModel(c, new ParameterOptions(META));
        long actual = m.parameters().Sum(p => p.NumberOfElements);
        Assert.Equal(actual, TransformerLimits.Parameters(c));
    }

    [Fact]
    public void VaeAndSchedulerPresets_PassTheLimits()
    {
        foreach (var v in new[] { "configs/tiny/vae/config.json", "configs/cogvideox-2b/vae/config.json", "configs/cogvideox-5b/vae/config.json" })
            VaeLimits.Load(RelyKit.Repo(v));
        LaMo.Diffusion.Pipeline.PipelineFolderLimits.Check(SchedulerConfig.Load(RelyKit.Repo("configs/cogvideox-2b/scheduler")), "2b");
        Assert.InRange(VaeLimits.Parameters(AutoencoderKLCogVideoXConfig.Load(RelyKit.Repo("configs/cogvideox-2b/vae/config.json"))), 100_000_000, 1_000_000_000);
    }
}
