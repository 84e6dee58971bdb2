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
