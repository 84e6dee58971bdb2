using LaMo.Models.Text;
using LaMo.Tests.Models.CogVideoX;
using TorchSharp;
using Xunit;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

/// <summary>UMT5 (Wan's text encoder) is T5 v1.1 with a relative-position bias table in every block. No reference vectors
/// exist, so it is checked by identities against our golden-free T5 path and by its keys and shapes at umt5-xxl size.</summary>
[Collection(nameof(SerialCollection))]   // seeds the global generator
public sealed class Umt5EncoderTests
{
    private static readonly T5Config TinyUmt5 = T5Config.Tiny with { ModelType = "umt5" };

    [Fact]
    public void EveryBlockWithBlockZerosTable_EqualsT5()
    {
        manual_seed(3);
        using var t5 = new T5EncoderModel(T5Config.Tiny);
        using var umt5 = new T5EncoderModel(TinyUmt5);
        CopyInto(umt5, t5.state_dict());
        using var ids = tensor(new long[] { 5, 9, 2, 33, 1, 0, 0, 12, 7, 1 }, [2, 5]);
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, [2, 5]);
        using var a = t5.forward(ids, mask);
        using var b = umt5.forward(ids, mask);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-6), $"max diff {(a - b).abs().max().item<float>()}");
        using var a0 = t5.forward(ids, null);
        using var b0 = umt5.forward(ids, null);
        Assert.True(a0.allclose(b0, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void ALaterBlocksTable_ChangesTheOutput()
    {
        manual_seed(4);
        using var t5 = new T5EncoderModel(T5Config.Tiny);
        using var umt5 = new T5EncoderModel(TinyUmt5);
        CopyInto(umt5, t5.state_dict());
        using var ids = tensor(new long[] { 5, 9, 2, 33, 1 }, [1, 5]);
        using var before = umt5.forward(ids, null);
        // A constant shift per head would cancel in the softmax; random values do not.
        using (no_grad()) umt5.state_dict()["encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"].add_(randn(32, 4));
        using var after = umt5.forward(ids, null);
        Assert.False(before.allclose(after, rtol: 0, atol: 1e-4));   // block 1 reads its own table (T5 would ignore it)
        Assert.DoesNotContain("encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", t5.state_dict().Keys);
    }

    [Fact]
    public void Umt5Xxl_OnMeta_MatchesApprovedKeysShapesAndCount()
    {
        using var m = new T5EncoderModel(T5Config.Umt5Xxl, device: META);
        var lines = m.SaveStateDict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").Order(StringComparer.Ordinal).ToList();
        string path = CogVideoXPresetTests.ApprovedPath("Umt5Xxl.encoder.approved.txt");
        string actual = string.Join("\n", lines) + "\n";
        if (Environment.GetEnvironmentVariable("LAMO_UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"{path} missing; run with LAMO_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), actual);
        Assert.Equal(1 + 24 * 10 + 1, lines.Count);      // shared, 24 × (q k v o bias norm | wi_0 wi_1 wo norm), final norm
        // 256,384 × 4,096 embedding + 24 × (4·4096² + 3·4096·10240 + 2·4096 + 32·64) + 4096. Wan ships this encoder as
        // models_t5_umt5-xxl-enc-bf16.pth, 11.4 GB, i.e. ≈ 5.68 G bf16 values.
        Assert.Equal(5_680_910_336L, m.ParameterCount());
        Assert.Equal(T5Limits.Parameters(T5Config.Umt5Xxl), m.ParameterCount());
    }

    [Fact]
    public void WanTextEncoderConfig_InRepo_LoadsAsUmt5Xxl()
    {
        string path = Path.Combine(CogVideoXPresetTests.RepoRoot(), "configs", "wan2.1-t2v-1.3b", "text_encoder", "config.json");
        var dir = Directory.CreateTempSubdirectory("lamo-umt5-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "text_encoder"));
            File.Copy(path, Path.Combine(dir.FullName, "text_encoder", "config.json"));
            // No weights: the config must parse and validate, and the loader must then ask for the tokenizer (the next file).
            var e = Assert.ThrowsAny<Exception>(() => TextEncoderLoader.FromPretrained(dir.FullName));
            Assert.Contains("spiece.model", e.Message);
        }
        finally { dir.Delete(true); }
    }

    private static void CopyInto(T5EncoderModel umt5, Dictionary<string, Tensor> t5State)
    {
        var target = umt5.state_dict();
        using (no_grad())
            foreach (var (key, value) in target)
            {
                var source = t5State.TryGetValue(key, out var same) ? same
                    : t5State["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"];   // later blocks' tables
                value.copy_(source);
            }
    }
}
