using LaMo.Diffusion;
using LaMo.Diffusion.Guidance;
using LaMo.Models.CogVideoX;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Guidance;

/// <summary>A tiny random CogVideoX backbone with a differentiable denoiser closure, as the pipeline would pass it.</summary>
internal sealed class TinyBackbone : IDisposable
{
    public const double AlphaCumprod = 0.35;
    public CogVideoXTransformer3DModel Model { get; }
    private readonly Tensor _text;
    private readonly Tensor _timestep;
    private readonly RotaryTables _rope;

    public TinyBackbone(long seed)
    {
        manual_seed(seed);
        Model = new CogVideoXTransformer3DModel(CogVideoXTransformerPresets.Tiny);
        Model.eval();
        _text = randn([1, 4, 32]).DetachFromDisposeScope();
        _timestep = tensor(new long[] { 600 }).DetachFromDisposeScope();
        _rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(Model.Config, 32, 32, 3);
    }

    /// <summary>x_t [1, 3, 16, 4, 4] → v, differentiable.</summary>
    public Tensor Denoise(Tensor x) => Model.forward(x, _text, _timestep, _rope);

    public GuidanceContext Context(int step, Tensor latents, Tensor v, bool withDenoiser = true) =>
        new(step, 50, 600, AlphaCumprod, latents, v, _text, withDenoiser ? Denoise : null);

    public double Loss(Tensor x, FlowMoOptions o)
    {
        using var _ = no_grad();
        var x0 = DiffusionMath.PredictX0FromV(Denoise(x), x, tensor(AlphaCumprod, dtype: ScalarType.Float32));
        return FlowMoGuidance.VarianceLoss(x0, o.PatchSize, o.Reduction).sum().item<float>();
    }

    public void Dispose()
    {
        Model.Dispose(); _text.Dispose(); _timestep.Dispose(); _rope.Cos.Dispose(); _rope.Sin.Dispose();
    }
}

[Collection("Torch")]
public class FlowMoGuidanceTests
{
    [Fact]
    public void Apply_OutsideWindow_ReturnsModelOutputUnchangedWithoutCallingDenoiser()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = randn([1, 3, 16, 4, 4]);
        var v = randn([1, 3, 16, 4, 4]);
        var g = new FlowMoGuidance();
        var ctx = new GuidanceContext(12, 50, 700, 0.2, x, v, null, _ => throw new InvalidOperationException("must not run"));
        var outV = g.Apply(ctx);
        Assert.True(outV.equal(v).all().item<bool>());
        Assert.False(g.IsActive(12));
        Assert.True(g.IsActive(0) && g.IsActive(11));
        Assert.True(new FlowMoGuidance(new FlowMoOptions { GuidedSteps = 0 }).Apply(ctx with { StepIndex = 0 }).equal(v).all().item<bool>());
    }

    [Fact]
    public void Apply_InsideWindowWithoutDenoiser_ThrowsInvalidOperationNamingDenoiser()
    {
        using var scope = NewDisposeScope();
        var x = randn([1, 3, 16, 4, 4]);
        var ctx = new GuidanceContext(0, 50, 999, 0.0, x, x, null);
        var e = Assert.Throws<InvalidOperationException>(() => new FlowMoGuidance().Apply(ctx));
        Assert.Contains("Denoiser", e.Message);
    }

    [Theory]
    [InlineData(FlowMoUpdateRule.GradientDescent, 0.05, FlowMoReduction.Max, 1)]
    [InlineData(FlowMoUpdateRule.Adam, 0.002, FlowMoReduction.Max, 1)]
    [InlineData(FlowMoUpdateRule.Adam, 0.002, FlowMoReduction.Mean, 2)]
    public void Optimize_SmallStep_LowersVarianceLossAtEditedLatent(FlowMoUpdateRule rule, double lr, FlowMoReduction reduction, int patch)
    {
        using var scope = NewDisposeScope();
        using var net = new TinyBackbone(2);
        var x = randn([1, 3, 16, 4, 4]);
        Tensor v; using (no_grad()) v = net.Denoise(x);
        var options = new FlowMoOptions { UpdateRule = rule, LearningRate = lr, Reduction = reduction, PatchSize = patch };
        var edit = new FlowMoGuidance(options).Optimize(net.Context(0, x, v));
        double before = net.Loss(x, options), after = net.Loss(edit.Latents, options);
        Assert.Equal(before, edit.InitialLoss.sum().item<float>(), 4);
        Assert.True(after < before, $"loss {before} → {after} should decrease");
        Assert.False(edit.Latents.requires_grad);
        if (rule == FlowMoUpdateRule.Adam)   // first Adam step = lr·g/(|g|+ε): every element moves by at most lr
            Assert.True((edit.Latents - x).abs().max().item<float>() <= lr + 1e-6);
    }

    [Fact]
    public void Apply_GradientsReachOnlyLatents_NoParameterGradLeftBehind()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyBackbone(3);
        var x = randn([1, 3, 16, 4, 4]);
        var xCopy = x.clone();
        Tensor v; using (no_grad()) v = net.Denoise(x);
        var outV = new FlowMoGuidance().Apply(net.Context(0, x, v));
        Assert.All(net.Model.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0, "parameter has a .grad"));
        Assert.True(x.equal(xCopy).all().item<bool>(), "the caller's latents must not be modified");
        Assert.False(x.requires_grad);
        Assert.False(outV.requires_grad);
        Assert.False(outV.equal(v).all().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Apply_ReturnedV_HasTheCleanLatentEstimateOfTheEditedLatent(bool repredict)
    {
        using var scope = NewDisposeScope();
        using var net = new TinyBackbone(4);
        var x = randn([1, 3, 16, 4, 4]);
        Tensor v; using (no_grad()) v = net.Denoise(x);
        var g = new FlowMoGuidance(new FlowMoOptions { Repredict = repredict, Iterations = 2 });
        var ctx = net.Context(3, x, v);
        var guided = g.Apply(ctx);
        var edit = g.Optimize(ctx);   // deterministic: the same edit again
        var a = tensor(TinyBackbone.AlphaCumprod, dtype: ScalarType.Float32);
        var vAtEdit = repredict ? edit.Velocity! : v;
        Assert.Equal(repredict, edit.Velocity is not null);
        var expected = DiffusionMath.PredictX0FromV(vAtEdit, edit.Latents, a);        // what FlowMo's scheduler sees
        var actual = DiffusionMath.PredictX0FromV(guided, x, a);                       // what ours sees from x_t
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max diff {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Options_Validate_RejectsEachBadField()
    {
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { LearningRate = 0 }));
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { LearningRate = double.NaN }));
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { GuidedSteps = -1 }));
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { Iterations = 0 }));
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { PatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { Reduction = (FlowMoReduction)7 }));
        Assert.Throws<ArgumentException>(() => new FlowMoGuidance(new FlowMoOptions { UpdateRule = (FlowMoUpdateRule)7 }));
        var d = new FlowMoOptions();
        Assert.Equal((0.005, 12, 1, 1, FlowMoReduction.Max, FlowMoUpdateRule.Adam, false),
            (d.LearningRate, d.GuidedSteps, d.Iterations, d.PatchSize, d.Reduction, d.UpdateRule, d.Repredict));
    }
}
