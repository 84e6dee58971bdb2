using LaMo.Evaluation.Physics;
using Xunit;

namespace LaMo.Tests.Evaluation.Physics;

/// <summary>The study's statistics: the two-level paired bootstrap, the sample-size rule and the base model's quality gate.</summary>
public sealed class StudyStatisticsTests
{
    [Fact]
    public void TwoLevel_ConstantDifferences_GiveAPointInterval()
    {
        var units = Enumerable.Range(0, 30).Select(i => new PairedDifference(i % 3, i % 2 == 0 ? "C0" : "C1", -0.25)).ToArray();
        var ci = TwoLevelBootstrap.Compute(units, resamples: 200);
        Assert.Equal(-0.25, ci.Mean, 12);
        Assert.Equal(-0.25, ci.Low, 12);
        Assert.Equal(-0.25, ci.High, 12);
        Assert.True(ci.ExcludesZero);
    }

    [Fact]
    public void TwoLevel_WeighsGroupsEqually()
    {
        var units = Enumerable.Repeat(new PairedDifference(0, "big", 1.0), 100).Concat(Enumerable.Repeat(new PairedDifference(0, "small", 0.0), 10)).ToArray();
        Assert.Equal(0.5, TwoLevelBootstrap.Compute(units, resamples: 50).Mean, 12);
    }

    [Fact]
    public void TwoLevel_OneSeedOneGroup_MatchesTheOneLevelBootstrap()
    {
        var rng = new Random(5);
        var d = Enumerable.Range(0, 200).Select(_ => Gaussian(rng) + 0.3).ToArray();
        var ci = TwoLevelBootstrap.Compute(d.Select(x => new PairedDifference(0, "C0", x)).ToArray(), resamples: 4000);
        double se = StudySampleSize.StandardDeviation(d) / Math.Sqrt(d.Length);
        Assert.Equal(d.Average(), ci.Mean, 12);
        Assert.InRange(ci.High - ci.Low, 2 * 1.96 * se * 0.85, 2 * 1.96 * se * 1.15);   // normal-theory width ± 15 %
        Assert.Equal(d.Average(), ci.SeedMeans[0], 12);
    }

    [Fact]
    public void TwoLevel_SeedsThatDisagree_WidenTheInterval()
    {
        // Seeds centred at −1, 0, +1 with tiny clip noise: a clip-level bootstrap would call the mean 0 ± 0.01; the seed level
        // must see that another draw of seeds could move it by about ±1.
        var rng = new Random(9);
        var units = new[] { -1.0, 0.0, 1.0 }.SelectMany((c, s) => Enumerable.Range(0, 100).Select(_ => new PairedDifference(s, "C0", c + 0.01 * Gaussian(rng)))).ToArray();
        var ci = TwoLevelBootstrap.Compute(units, resamples: 2000);
        Assert.True(ci.High - ci.Low > 1.0, $"[{ci.Low}, {ci.High}]");
        Assert.False(ci.ExcludesZero);
        Assert.Equal(-1.0, ci.SeedMeans[0], 1);
        Assert.Equal(1.0, ci.SeedMeans[2], 1);
    }

    [Fact]
    public void TwoLevel_WiderLevel_GivesAWiderInterval()
    {
        var rng = new Random(3);
        var units = Enumerable.Range(0, 300).Select(i => new PairedDifference(i % 3, $"C{i % 5}", Gaussian(rng))).ToArray();
        var narrow = TwoLevelBootstrap.Compute(units, 0.95, 3000);
        var wide = TwoLevelBootstrap.Compute(units, 1 - 0.05 / 12, 3000);
        Assert.True(wide.Low < narrow.Low && wide.High > narrow.High);
    }

    [Fact]
    public void TwoLevel_RefusesBadInput()
    {
        Assert.Throws<ArgumentException>(() => TwoLevelBootstrap.Compute([]));
        Assert.Throws<ArgumentException>(() => TwoLevelBootstrap.Compute([new PairedDifference(0, "C0", 1)], level: 1.0));
    }

    [Fact]
    public void SampleSize_FollowsTheRule()
    {
        var unitSd = new[] { -1.0, 1.0, -1.0, 1.0 };                     // sample sd = 2/√3
        double sd = 2 / Math.Sqrt(3);
        Assert.Equal((int)Math.Ceiling(Math.Pow(1.96 * sd / 0.1, 2)), StudySampleSize.Required(unitSd, 1.0));
        Assert.Equal(128, StudySampleSize.Required(unitSd, 100.0));          // tiny relative noise: the floor
        Assert.Equal(1.96 * sd / 10, StudySampleSize.HalfWidth(unitSd, 100), 12);
        Assert.Throws<ArgumentException>(() => StudySampleSize.Required([1.0], 1.0));
        Assert.Throws<ArgumentException>(() => StudySampleSize.Required(unitSd, 0.0));
    }

    [Fact]
    public void QualityGate_PoolsEvaluationsAndAppliesEachCriterion()
    {
        // Condition 1: 10 clips, one failure, model M1c 0.2 vs constant velocity 1.0, M5 0.1.
        // Condition 2: 10 clips, no failure, model M1c 0.6 vs 1.0, M5 0.3.
        var e1 = Evaluation("model", Enumerable.Range(0, 10).Select(i => Clip($"a{i}", failure: i == 0, m1c: i == 0 ? null : 0.2, m5: 0.1)));
        var e2 = Evaluation("model", Enumerable.Range(0, 10).Select(i => Clip($"a{i}", failure: false, m1c: 0.6, m5: 0.3)));
        var gate = QualityGate.Evaluate([e1, e2], "model");
        Assert.Equal(20, gate.Clips);
        Assert.Equal(0.05, gate.FailureRate, 12);
        Assert.Equal(19, gate.M1cPairs);
        Assert.Equal((9 * 0.2 + 10 * 0.6) / 19, gate.M1c, 12);
        Assert.Equal(1.0, gate.ConstantVelocityM1c, 12);
        Assert.Equal(0.2, gate.SizeDrift, 12);
        Assert.True(gate.FailurePasses);
        Assert.True(gate.M1cPasses);                  // 0.41 ≤ 0.5
        Assert.True(gate.SizeDriftPasses);            // 0.2 ≤ 0.2
        Assert.True(gate.Passes);

        var strict = QualityGate.Evaluate([e1, e2], "model", new QualityBar(MaxFailureRate: 0.04, MaxM1cRatio: 0.4, MaxSizeDrift: 0.19));
        Assert.False(strict.FailurePasses);
        Assert.False(strict.M1cPasses);
        Assert.False(strict.SizeDriftPasses);
        Assert.False(strict.Passes);
        var missing = Assert.Throws<ArgumentException>(() => QualityGate.Evaluate([e1], "other"));
        Assert.Contains("no row 'other'", missing.Message);
    }

    private static PhysicsBenchmarkResult Evaluation(string method, IEnumerable<ClipPhysicsResult> clips)
    {
        var model = clips.ToArray();
        var reference = model.Select(c => Clip(c.ClipId, false, 1.0, 0.0)).ToArray();
        var options = new PhysicsOptions();
        return new PhysicsBenchmarkResult(options,
            [new PhysicsReport(method, options, model, []), new PhysicsReport(ReferenceVideos.ConstantVelocityName, options, reference, [])], []);
    }

    private static ClipPhysicsResult Clip(string id, bool failure, double? m1c, double? m5) =>
        new(id, "uniform", "val-id", 12, failure, null, null, null, m1c, null, null, null, null, m5, null, null, null, null, null, null, null, null, null, null);

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
