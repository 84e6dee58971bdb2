using System.Runtime.CompilerServices;
using LaMo.Models.CogVideoX;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoX;

public sealed class CogVideoXPresetTests
{
    private static long Count(CogVideoXTransformerConfig c)
    {
        using var model = new CogVideoXTransformer3DModel(c, new ParameterOptions(META));
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        return model.parameters().Sum(p => p.NumberOfElements);
    }

    [Fact]
    public void ParameterCount_5BOnMeta_Is5570283072() => Assert.Equal(5_570_283_072L, Count(CogVideoXTransformerPresets.CogVideoX5B));

    [Fact]
    public void ParameterCount_2BOnMeta_Is1693783872() => Assert.Equal(1_693_783_872L, Count(CogVideoXTransformerPresets.CogVideoX2B));

    [Fact]
    public void StateDict_5BOnMeta_MatchesApprovedKeysAndShapes()
    {
        using var model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.CogVideoX5B, new ParameterOptions(META));
        var lines = model.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")
            .Order(StringComparer.Ordinal).ToList();
        string path = ApprovedPath("CogVideoX5B.transformer.approved.txt");
        string actual = string.Join("\n", lines) + "\n";
        if (Environment.GetEnvironmentVariable("LAMO_UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"{path} missing; run with LAMO_UPDATE_GOLDEN=1 and review it");
        var approved = File.ReadAllText(path);
        Assert.Equal(approved, actual);
        Assert.Equal(4 + 4 + 2 + 4 + 2 + 42 * 24, lines.Count);   // patch_embed 4, time_embedding 4, norm_final 2, norm_out 4, proj_out 2, 24 per block
    }

    [Theory]
    [InlineData("cogvideox-2b")]
    [InlineData("cogvideox-5b")]
    [InlineData("tiny")]
    public void ConfigFile_InRepo_EqualsPreset(string name)
    {
        var fromFile = CogVideoXTransformerConfig.Load(Path.Combine(RepoRoot(), "configs", name, "transformer", "config.json"));
        Assert.Equal(CogVideoXTransformerPresets.Get(name), fromFile);
    }

    internal static string ApprovedPath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "Approved", file);

    internal static string RepoRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", ".."));
}
