using LaMo.Training;
using Xunit;

namespace LaMo.Tests.Training;

/// <summary>A total loss dominated by an auxiliary term is explained in one line; a balanced one says nothing.</summary>
public sealed class LossBalanceTests
{
    [Fact]
    public void ADominatingDriftTerm_IsNamed_ABalancedStepIsNot()
    {
        var dominated = new Dictionary<string, double> { ["loss"] = 1553, ["denoise"] = 1.67, ["drift"] = 3870, ["drift_weight"] = 0.4 };
        string note = LossBalance.Dominance(dominated)!;
        Assert.Contains("930× the denoising loss", note);
        Assert.Contains("drift 3870", note);
        Assert.Null(LossBalance.Dominance(new Dictionary<string, double> { ["loss"] = 2.0, ["denoise"] = 1.67, ["drift"] = 0.8 }));
        Assert.Null(LossBalance.Dominance(new Dictionary<string, double> { ["loss"] = 0.3, ["mse"] = 0.01 }));   // no denoising term
    }
}
