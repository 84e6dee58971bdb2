using LaMo.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Training;

public sealed class NamedAdamWTests
{
    [Fact]
    public void Step_MatchesTorchAdamW_OverTenSteps()
    {
        var ours = new Parameter(tensor(new[] { 0.5f, -1.0f, 2.0f }));
        var theirs = new Parameter(tensor(new[] { 0.5f, -1.0f, 2.0f }));
        var opt = new NamedAdamW([new OptimizerGroup("g", new Dictionary<string, Parameter> { ["w"] = ours }, 1e-2, 0)], 0.9, 0.99, 1e-8);
        var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 1e-2);
        for (int i = 0; i < 10; i++)
        {
            foreach (var (p, o) in new[] { (ours, (Action)(() => opt.ZeroGrad())), (theirs, () => reference.zero_grad()) })
            {
                o();
                (p * p * p - p * (i + 1)).sum().backward();
            }
            opt.Step(new Dictionary<string, double> { ["g"] = 0.01 });
            reference.step();
        }
        Assert.True(ours.allclose(theirs, rtol: 1e-5, atol: 1e-6), $"{ours.ToString(TorchSharp.TensorStringStyle.Julia)} vs {theirs.ToString(TorchSharp.TensorStringStyle.Julia)}");
    }

    [Fact]
    public void FlatGroupStep_IsBitIdenticalToThePerParameterStep_AndMatchesTorch()
    {
        // Group A: every parameter has a gradient → the flat path. Group B: the same plus one parameter that never
        // gets a gradient → the per-parameter path. Same arithmetic, so the same bits.
        Parameter[] Make() => [new(tensor(new[] { 0.5f, -1.0f, 2.0f })), new(tensor(new[,] { { 1f, -2f }, { 0.25f, 3f } })), new(tensor(new[] { -0.7f }))];
        var a = Make(); var b = Make(); var c = Make();
        var idle = new Parameter(tensor(new[] { 9f }));
        var optA = new NamedAdamW([new OptimizerGroup("g", a.Select((p, i) => (i, p)).ToDictionary(x => $"p{x.i}", x => x.p), 1e-2, 0)]);
        var optB = new NamedAdamW([new OptimizerGroup("g", b.Select((p, i) => (i, p)).Append((3, idle)).ToDictionary(x => $"p{x.Item1}", x => x.Item2), 1e-2, 0)]);
        var reference = optim.AdamW(c, lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 1e-2);
        static void Backward(Parameter[] ps, int i) => ps.Select(p => (p * p * p - p * (i + 1)).sum()).Aggregate((x, y) => x + y).backward();
        for (int i = 0; i < 6; i++)
        {
            optA.ZeroGrad(); Backward(a, i); optA.Step(new Dictionary<string, double> { ["g"] = 0.01 });
            optB.ZeroGrad(); Backward(b, i); optB.Step(new Dictionary<string, double> { ["g"] = 0.01 });
            reference.zero_grad(); Backward(c, i); reference.step();
        }
        for (int k = 0; k < 3; k++)
        {
            Assert.True(a[k].equal(b[k]).all().item<bool>(), $"parameter {k}: flat and per-parameter steps differ");
            Assert.True(a[k].allclose(c[k], rtol: 1e-5, atol: 1e-6), $"parameter {k} vs torch AdamW");
        }
        Assert.Equal(9f, idle.item<float>());   // no gradient: untouched, not even weight decay
        Assert.True(optA.StateDict()["exp_avg.g.p1"].equal(optB.StateDict()["exp_avg.g.p1"]).all().item<bool>());
    }

    [Fact]
    public void StateDict_RoundTrip_ContinuesIdentically()
    {
        Parameter Make() => new(tensor(new[] { 1f, 2f }));
        var a = Make();
        var optA = new NamedAdamW([new OptimizerGroup("g", new Dictionary<string, Parameter> { ["w"] = a }, 0, 0)]);
        void Grad(Parameter p, NamedAdamW o) { o.ZeroGrad(); (p * p).sum().backward(); o.Step(new Dictionary<string, double> { ["g"] = 0.1 }); }
        Grad(a, optA); Grad(a, optA);
        var b = new Parameter(a.detach().clone());
        var optB = new NamedAdamW([new OptimizerGroup("g", new Dictionary<string, Parameter> { ["w"] = b }, 0, 0)]);
        optB.LoadStateDict(optA.StateDict(), "test");
        Grad(a, optA); Grad(b, optB);
        Assert.True(a.allclose(b, 0, 0));
        Assert.Equal(3, optB.StepCount);
    }

    [Fact]
    public void LoadStateDict_WrongShape_NamesKey()
    {
        var p = new Parameter(zeros(2));
        var opt = new NamedAdamW([new OptimizerGroup("g", new Dictionary<string, Parameter> { ["w"] = p }, 0, 0)]);
        var e = Assert.Throws<InvalidDataException>(() => opt.LoadStateDict(new Dictionary<string, Tensor> { ["step"] = tensor(1L), ["exp_avg.g.w"] = zeros(3) }, "ckpt"));
        Assert.Contains("exp_avg.g.w", e.Message);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(9, 1.0)]
    [InlineData(10, 1.0)]
    [InlineData(55, 0.5)]
    [InlineData(100, 0.0)]
    public void LrSchedule_WarmupThenCosine_ClosedForm(int step, double expected) =>
        Assert.Equal(expected, LrSchedule.At(step, LrScheduleKind.Cosine, 1.0, 10, 100), 9);

    [Fact]
    public void LrSchedule_Constant_AfterWarmup() =>
        Assert.Equal(5e-5, LrSchedule.At(1000, LrScheduleKind.Constant, 5e-5, 200, 2000));
}
