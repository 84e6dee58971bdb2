using LaMo.Models.CogVideoX;
using LaMo.Models.Lora;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Lora;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class LoraAdapterSetTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lamo-lora-" + Guid.NewGuid().ToString("N"));
    private static readonly CogVideoXTransformerConfig Tiny = CogVideoXTransformerPresets.Tiny;

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    private static (Tensor X, Tensor Text, Tensor T, RotaryTables Rope) Inputs()
    {
        manual_seed(11);
        return (randn(new long[] { 1, 2, 16, 4, 4 }), randn(new long[] { 1, 3, 32 }), tensor(new long[] { 321 }),
                CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(Tiny, 32, 32, 2));
    }

    private static Tensor Run(CogVideoXTransformer3DModel m, (Tensor X, Tensor Text, Tensor T, RotaryTables Rope) i)
    {
        using var _ = no_grad();
        return m.forward(i.X, i.Text, i.T, i.Rope);
    }

    private static void Perturb(LoraAdapterSet set)
    {
        using var _ = no_grad();
        foreach (var p in set.Parameters()) p.add_(randn_like(p).mul(0.05));
    }

    [Fact]
    public void Inject_Default_TargetsAttentionProjectionsOfEveryBlock()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 4, Alpha: 8));
        Assert.Equal(Tiny.NumLayers * 4, set.ModuleNames.Count);
        Assert.Contains("transformer_blocks.1.attn1.to_out.0", set.ModuleNames);
        Assert.All(set.ModuleNames, n => Assert.Matches(@"^transformer_blocks\.\d+\.attn1\.(to_q|to_k|to_v|to_out\.0)$", n));
        Assert.Equal(2.0, set[set.ModuleNames[0]].Scale);
        Assert.Equal(Tiny.NumLayers * 4 * 2 * 4 * 32, set.ParameterCount);   // A [4,32] + B [32,4] per layer
    }

    [Fact]
    public void Inject_Fresh_OutputUnchangedAndBaseStateDictKeysUnchanged()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        var i = Inputs();
        using var before = Run(model, i);
        var keys = model.state_dict().Keys.Order().ToList();
        using var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 4, Alpha: 4));
        using var after = Run(model, i);
        Assert.True(before.equal(after).all().item<bool>());
        Assert.Equal(keys, model.state_dict().Keys.Order().ToList());
        Assert.All(set.Parameters().Where((_, k) => k % 2 == 1), b => Assert.Equal(0f, b.abs().max().item<float>()));
        Assert.All(set.Parameters().Where((_, k) => k % 2 == 0), a => Assert.True(a.abs().max().item<float>() > 0));
    }

    [Fact]
    public void Inject_OnlyAdapterParametersTrainable_AndGradientsReachThem()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 2, Alpha: 2));
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(set.Parameters(), p => Assert.True(p.requires_grad));
        Perturb(set);   // B ≠ 0 so A gets a gradient too
        var i = Inputs();
        using (var scope = NewDisposeScope()) model.forward(i.X, i.Text, i.T, i.Rope).square().mean().backward();
        Assert.All(set.Parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void MergeUnmerge_MergedEqualsAdapterForward_UnmergeRestoresWeights()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        var original = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 4, Alpha: 16, TargetModules: ["to_q", "to_k", "to_v", "to_out.0", "ff.net.2"]));
        Perturb(set);
        var i = Inputs();
        using var adapterOut = Run(model, i);
        set.Merge();
        using var mergedOut = Run(model, i);
        Assert.True(mergedOut.allclose(adapterOut, rtol: 0, atol: 1e-5), "merged forward differs from adapter forward");
        set.Unmerge();
        foreach (var (k, v) in model.state_dict())
            Assert.True((v - original[k]).abs().max().item<float>() <= 1e-6f, $"{k} not restored");
        using var unmergedOut = Run(model, i);
        Assert.True(unmergedOut.allclose(adapterOut, rtol: 0, atol: 1e-5));
        Assert.Throws<InvalidOperationException>(() => set.Unmerge());
    }

    [Fact]
    public void SaveLoad_PeftKeyNames_RoundTripBitIdentical()
    {
        Directory.CreateDirectory(_dir);
        string file = Path.Combine(_dir, "pytorch_lora_weights.safetensors");
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 4, Alpha: 8));
        Perturb(set);
        set.Save(file);
        using (var f = LaMo.Core.SafetensorsFile.Open(file))
        {
            Assert.Contains("transformer.transformer_blocks.0.attn1.to_q.lora_A.weight", f.Entries.Keys);
            Assert.Equal(new long[] { 32, 4 }, f.Entries["transformer.transformer_blocks.1.attn1.to_out.0.lora_B.weight"].Shape);
            Assert.Equal(Tiny.NumLayers * 4 * 2, f.Entries.Count);
        }
        var config = LoraAdapterSet.ReadConfig(file);
        Assert.Equal((4, 8.0), (config.Rank, config.Alpha));

        using var model2 = new CogVideoXTransformer3DModel(Tiny);
        StateDict(model2, model);
        using var set2 = LoraAdapterSet.Inject(model2, config);
        set2.Load(file);
        var i = Inputs();
        using var a = Run(model, i);
        using var b = Run(model2, i);
        Assert.True(a.equal(b).all().item<bool>());
    }

    [Fact]
    public void Load_WrongRank_NamesKeyAndRank()
    {
        Directory.CreateDirectory(_dir);
        string file = Path.Combine(_dir, "l.safetensors");
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using (var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 4))) set.Save(file);
        using var model2 = new CogVideoXTransformer3DModel(Tiny);
        using var set2 = LoraAdapterSet.Inject(model2, new LoraConfig(Rank: 2));
        var e = Assert.Throws<InvalidDataException>(() => set2.Load(file));
        Assert.Contains("lora_A.weight", e.Message);
    }

    [Fact]
    public void Load_TargetsDiffer_ListsMissingKeys()
    {
        Directory.CreateDirectory(_dir);
        string file = Path.Combine(_dir, "l.safetensors");
        using var model = new CogVideoXTransformer3DModel(Tiny);
        using (var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 2, TargetModules: ["to_q"]))) set.Save(file);
        using var model2 = new CogVideoXTransformer3DModel(Tiny);
        using var set2 = LoraAdapterSet.Inject(model2, new LoraConfig(Rank: 2));
        var e = Assert.Throws<InvalidDataException>(() => set2.Load(file));
        Assert.Contains("missing", e.Message);
        Assert.Contains("to_k.lora_A.weight", e.Message);
    }

    [Fact]
    public void Inject_NoMatch_Throws() 
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        Assert.Throws<ArgumentException>(() => LoraAdapterSet.Inject(model, new LoraConfig(TargetModules: ["to_qkv"])));
    }

    [Fact]
    public void Dispose_DetachesAdapters_ModelBackToBase()
    {
        using var model = new CogVideoXTransformer3DModel(Tiny);
        var i = Inputs();
        using var before = Run(model, i);
        var set = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 2));
        Perturb(set);
        set.Merge();
        set.Dispose();
        using var after = Run(model, i);
        Assert.True(after.allclose(before, rtol: 0, atol: 1e-5));
        using var again = LoraAdapterSet.Inject(model, new LoraConfig(Rank: 2));   // attachable again
    }

    private static void StateDict(CogVideoXTransformer3DModel dest, CogVideoXTransformer3DModel src) =>
        LaMo.Core.StateDictLoader.Load(dest, LaMo.Core.StateDictLoader.StateDict(src));
}
