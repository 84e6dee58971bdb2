using LaMo.Models.Wan;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Wan;

/// <summary>The published Wan transformers, built on the <c>meta</c> device (shapes only).</summary>
/// <remarks>Published totals, all from float32 checkpoints whose safetensors index <c>total_size</c> is exactly 4 bytes
/// per parameter:
/// <list type="bullet">
/// <item>Wan 2.1 T2V 1.3B: Wan-AI/Wan2.1-T2V-1.3B-Diffusers (revision 0fad780a), <c>transformer/diffusion_pytorch_model.safetensors.index.json</c>
/// <c>total_size</c> 5,675,987,200 bytes = 4 × 1,418,996,800; the Hugging Face safetensors metadata of
/// Wan-AI/Wan2.1-T2V-1.3B reports 1,418,996,800 parameters in 825 tensors (as read by third-party projects found
/// through the code search; we could not open the Hub pages offline).</item>
/// <item>Wan 2.1 T2V 14B: 14,288,491,584 parameters in 1,095 tensors. The Wan-AI/Wan2.2-T2V-A14B-Diffusers
/// <c>transformer/</c> and <c>transformer_2/</c> indexes (the same configuration as Wan 2.1 T2V 14B: 40 × 128 heads,
/// 40 layers, ffn 13824, 16 channels) give <c>total_size</c> 57,153,966,336 = 4 × 14,288,491,584, and several projects
/// record 14,288,491,584 for the Wan 2.1 14B DiT itself.</item>
/// <item>Wan 2.2 TI2V 5B: Wan-AI/Wan2.2-TI2V-5B, 825 float32 tensors of 19,999,150,848 bytes = 4 × 4,999,787,712
/// (also listed as 4,999,787,712 for Wan-AI/Wan2.2-TI2V-5B-Diffusers).</item>
/// </list>
/// These are exact figures, so the tests assert equality, not a tolerance.</remarks>
public sealed class WanTransformerPresetTests
{
    private static (long Parameters, int Tensors) Count(WanTransformerConfig c)
    {
        using var model = new WanTransformer3DModel(c, new WanParameterOptions(META));
        var ps = model.parameters().ToList();
        Assert.All(ps, p => Assert.Equal(DeviceType.META, p.device_type));
        return (ps.Sum(p => p.NumberOfElements), model.state_dict().Count);
    }

    [Fact]
    public void Wan21T2V1_3B_OnMeta_HasThePublished1418996800ParametersIn825Tensors() =>
        Assert.Equal((1_418_996_800L, 825), Count(WanTransformerPresets.Wan21T2V1_3B));

    [Fact]
    public void Wan21T2V14B_OnMeta_HasThePublished14288491584ParametersIn1095Tensors() =>
        Assert.Equal((14_288_491_584L, 1095), Count(WanTransformerPresets.Wan21T2V14B));

    [Fact]
    public void Wan22TI2V5B_OnMeta_HasThePublished4999787712ParametersIn825Tensors() =>
        Assert.Equal((4_999_787_712L, 825), Count(WanTransformerPresets.Wan22TI2V5B));

    [Theory]
    [InlineData("wan2.1-t2v-1.3b")]
    [InlineData("wan2.1-t2v-14b")]
    [InlineData("wan2.2-ti2v-5b")]
    public void ConfigFile_InRepo_EqualsPresetAndPassesLimits(string name)
    {
        string path = Path.Combine(RepoRoot(), "configs", name, "transformer", "config.json");
        Assert.Equal(WanTransformerPresets.Get(name), WanTransformerConfig.Load(path));
        Assert.Equal(WanTransformerPresets.Get(name), WanTransformerLimits.Load(path));
    }

    public static TheoryData<string> LimitCases() => ["wan2.1-t2v-1.3b", "wan2.2-ti2v-5b", "tiny", "no-cross-norm", "patch-2x2x2", "out-8"];

    /// <summary>The closed-form count used to refuse absurd configs before allocation equals the module's own count.</summary>
    [Theory]
    [MemberData(nameof(LimitCases))]
    public void LimitsFormula_EqualsModuleCount(string name)
    {
        var c = name switch
        {
            "no-cross-norm" => WanTransformerPresets.Tiny with { CrossAttnNorm = false },
            "patch-2x2x2" => WanTransformerPresets.Tiny with { PatchSize = new WanPatchSize(2, 2, 2) },
            "out-8" => WanTransformerPresets.Tiny with { OutChannels = 8 },
            _ => WanTransformerPresets.Get(name),
        };
        Assert.Equal(Count(c).Parameters, WanTransformerLimits.Parameters(c));
    }

    [Fact]
    public void Limits_AbsurdConfig_RefusedBeforeAllocation()
    {
        var huge = WanTransformerPresets.Wan21T2V14B with { NumLayers = 1000, NumAttentionHeads = 512 };
        var e = Assert.Throws<InvalidDataException>(() => WanTransformerLimits.Check(huge, "x/config.json"));
        Assert.Contains("x/config.json", e.Message);
    }

    [Fact]
    public void StateDict_1_3BOnMeta_MatchesApprovedKeysAndShapes()
    {
        using var model = new WanTransformer3DModel(WanTransformerPresets.Wan21T2V1_3B, new WanParameterOptions(META));
        var lines = model.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")
            .Order(StringComparer.Ordinal).ToList();
        string path = Path.Combine(RepoRoot(), "tests", "LaMo.Tests", "Approved", "Wan21T2V1_3B.transformer.approved.txt");
        string actual = string.Join("\n", lines) + "\n";
        if (Environment.GetEnvironmentVariable("LAMO_UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"{path} missing; run with LAMO_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), actual);
        Assert.Equal(15 + 30 * 27, lines.Count);   // 15 outside the blocks, 27 per block
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", ".."));
}
