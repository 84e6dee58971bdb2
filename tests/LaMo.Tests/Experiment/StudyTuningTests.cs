using LaMo.Experiment;
using Xunit;

namespace LaMo.Tests.Experiment;

/// <summary>The protocol's tuning: the 9-point grids, the selection rule, and reading grid-point runs.</summary>
public sealed class StudyTuningTests
{
    private static TuningPoint P(double lambda, double m1c, double failure, double baseFailure = 0.10) =>
        new($"run-{lambda}", [("drift_lambda", lambda)], m1c, failure, baseFailure);

    [Fact]
    public void Grids_HaveNinePointsPerArm_AndTheDriftGridIsTheProtocols()
    {
        Assert.All(StudyTuning.Grids.Values, g => Assert.Equal(9, g.Length));
        Assert.Equal([0.001, 0.002, 0.004, 0.01, 0.02, 0.04, 0.1, 0.2, 0.4], StudyTuning.Grids["+drift"].Select(p => p[0]).ToArray());
        Assert.Equal(StudyTuning.Grids.Keys.Order(), StudyTuning.Tuned.Keys.Order());
    }

    [Fact]
    public void Select_LowestM1cAmongPointsNotFailingMoreThanTheBaselinePlusFivePoints()
    {
        var points = new[] { P(0.4, 0.50, 0.20), P(0.04, 0.70, 0.14), P(0.004, 0.90, 0.05) };
        Assert.Equal(0.04, StudyTuning.Select(points, "+drift")!.Values[0].Value);       // 0.4 fails 0.20 > 0.10 + 0.05
    }

    [Fact]
    public void Select_TiesWithinOnePercentGoToTheSmallerIntervention()
    {
        var points = new[] { P(0.4, 0.700, 0.1), P(0.04, 0.705, 0.1), P(0.004, 0.800, 0.1) };
        Assert.Equal(0.04, StudyTuning.Select(points, "+drift")!.Values[0].Value);
        Assert.Equal(0.4, StudyTuning.Select([P(0.4, 0.700, 0.1), P(0.04, 0.71, 0.1)], "+drift")!.Values[0].Value);   // 1.4 % is not a tie
    }

    [Fact]
    public void Select_BaselineHasNoFailureConstraint_AndNoEligiblePointGivesNull()
    {
        var baseline = new TuningPoint[] { new("a", [("learning_rate", 1e-3), ("steps", 500)], 0.6, 0.9, 0.9), new("b", [("learning_rate", 3e-4), ("steps", 250)], 0.8, 0.1, 0.1) };
        Assert.Equal("a", StudyTuning.Select(baseline, StudyVariant.BaselineName)!.Run);
        Assert.Null(StudyTuning.Select([P(0.4, 0.5, 0.5), P(0.04, double.NaN, 0.1)], "+drift"));
    }

    [Fact]
    public void Measure_UnknownArm_ListsTheTunedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => StudyTuning.Measure(".", "dpo"));
        Assert.Contains("+drift-nf", e.Message);
    }
}

/// <summary><c>lamo experiment select</c> on two real grid-point runs of +guidance (miniature models).</summary>
[Collection("Torch")]
public sealed class StudyTuningRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-study-tune-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Select_ReadsTheGridPointRuns_AndAppliesTheRule()
    {
        var runs = new List<string>();
        foreach (var lambda in new[] { "25", "5" })
        {
            string run = Path.Combine(_dir, $"lambda-{lambda}");
            RelyKit.Ok("experiment", "--models", MiniatureModels.Folder, "--variants", "baseline,+guidance", "--train-seeds", "0", "--sampling-seeds", "0",
                "--splits", "test-id", "--scenarios", "s1,s2", "--clips", "1", "--extended-clips", "0", "--size", "32", "--frames", "9", "--sample-steps", "2",
                "--bootstrap", "20", "--lambda", lambda, "--rho", "0.6", "--out", run);
            runs.Add(run);
        }
        var points = runs.Select(r => StudyTuning.Measure(r, "+guidance")).ToArray();
        Assert.Equal([("lambda", 25.0), ("rho", 0.6)], points[0].Values);
        Assert.Equal([("lambda", 5.0), ("rho", 0.6)], points[1].Values);
        Assert.All(points, p => Assert.InRange(p.Failure, 0, 1));
        Assert.Equal(points[0].BaselineFailure, points[1].BaselineFailure);               // the same baseline samples in both runs

        var (rc, output, _) = RelyKit.Cli(["experiment", "select", "--arm", "+guidance", .. runs]);
        var chosen = StudyTuning.Select(points, "+guidance");
        Assert.Equal(chosen is null ? 1 : 0, rc);
        Assert.Contains("| lambda | rho |", output);
        if (chosen is not null) Assert.Contains($"lambda = {chosen.Values[0].Value}", output);
    }
}
