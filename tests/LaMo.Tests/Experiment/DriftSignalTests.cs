using LaMo.Experiment;
using LaMo.Models.CogVideoXVae;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Experiment;

/// <summary>The drift-signal measurement (issue 17 item 8): closed-form identities of <see cref="DriftSignal"/> and a
/// survey through a tiny random VAE.</summary>
[Collection("Torch")]
public class DriftSignalTests
{
    private const int Tau = 2;

    /// <summary>[1, T, C, H, W] with every location of frame f equal to base + f·step (a pure bulk motion).</summary>
    private static Tensor BulkShift(Tensor step, int frames, int h, int w)
    {
        var c = step.shape[0];
        var f = arange(frames, dtype: ScalarType.Float64).reshape(1, frames, 1, 1, 1);
        manual_seed(3);
        var baseFrame = randn([1, 1, c, h, w], dtype: ScalarType.Float64);
        return baseFrame + f * step.reshape(1, 1, c, 1, 1);
    }

    [Fact]
    public void ConstantLatentShift_RatioOne_ExactMu_NoNoiseFromIdenticalSamples()
    {
        using var scope = NewDisposeScope();
        var step = tensor(new[] { 0.5, -1.0, 0.25, 2.0 });
        var z = BulkShift(step, frames: 5, h: 3, w: 4);
        var s = DriftSignal.Measure(z, [z.clone()], Tau);
        // Every location moves by τ·step, so μ = τ·step exactly and the per-location energy equals ‖μ‖².
        var expected = Tau * Tau * (0.25 + 1.0 + 0.0625 + 4.0);
        Assert.Equal(3, s.Pairs);
        Assert.Equal(expected, s.MuEnergy, 12);
        Assert.Equal(expected, s.LocationEnergy, 12);
        Assert.Equal(1.0, s.Ratio, 12);
        Assert.Equal(0.0, s.PosteriorNoise);
        Assert.Equal(double.PositiveInfinity, s.PosteriorSnr);
    }

    [Fact]
    public void StillLatents_ZeroSignal_ZeroRatio()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var frame = randn([1, 1, 4, 3, 3], dtype: ScalarType.Float64);
        var s = DriftSignal.Measure(frame.expand(1, 5, 4, 3, 3), [], Tau);
        Assert.Equal(0.0, s.MuEnergy);
        Assert.Equal(0.0, s.LocationEnergy);
        Assert.Equal(0.0, s.Ratio);
        Assert.True(double.IsNaN(s.PosteriorSnr));   // no samples: no noise estimate
    }

    [Fact]
    public void ZeroMeanMotion_HasEnergyButNoBulkMotion()
    {
        using var scope = NewDisposeScope();
        // A checkerboard that flips sign each frame: every location moves, the spatial mean never does.
        var board = tensor(new[] { 1.0, -1.0, -1.0, 1.0 }).reshape(1, 1, 1, 2, 2);
        var sign = tensor(new[] { 1.0, -1.0, 1.0, -1.0, 1.0, -1.0 }).reshape(1, 6, 1, 1, 1);
        var z = (board * sign).expand(1, 6, 3, 2, 2).contiguous();
        var s = DriftSignal.Measure(z, [], 1);
        Assert.Equal(0.0, s.MuEnergy, 15);
        Assert.Equal(3 * 4.0, s.LocationEnergy, 12);   // |Δ| = 2 per channel, 3 channels
        Assert.Equal(0.0, s.Ratio, 15);
    }

    [Fact]
    public void SampleNoiseOnOneFrame_EntersTwoPairsWithOppositeSigns()
    {
        using var scope = NewDisposeScope();
        var z = BulkShift(tensor(new[] { 1.0, 0.0 }), frames: 5, h: 2, w: 2);
        var e = tensor(new[] { 0.3, -0.4 });                        // ‖e‖² = 0.25
        var sample = z.clone();
        sample[.., 2] += e.reshape(2, 1, 1);                        // frame 2 only
        var shiftedEverywhere = z + e.reshape(1, 1, 2, 1, 1);       // a constant offset cancels in Δ
        var s = DriftSignal.Measure(z, [sample, shiftedEverywhere], Tau);
        // Pairs (0,2) and (2,4) see +e and −e; pair (1,3) nothing: 2·0.25 over 3 pairs × 2 samples.
        Assert.Equal(6, s.SamplePairs);
        Assert.Equal(0.5 / 6, s.PosteriorNoise, 12);
        Assert.Equal(s.MuEnergy / (0.5 / 6), s.PosteriorSnr, 9);
        Assert.Equal(4.0, s.MuEnergy, 12);
        Assert.Equal(0, s.NoisyPairs);                              // per-pair noise ≤ 0.125 ≪ ‖μ*‖² = 4
    }

    [Fact]
    public void NoisyPairs_CountsPairsWhoseBulkMotionIsBelowTheirPosteriorNoise()
    {
        using var scope = NewDisposeScope();
        var z = BulkShift(tensor(new[] { 0.1, 0.0 }), frames: 5, h: 2, w: 2);   // ‖μ*‖² = 0.04 per pair
        var sample = z.clone();
        sample[.., 4] += tensor(new[] { 0.0, 0.5 }).reshape(2, 1, 1);            // only pair (2,4): noise 0.25 > 0.04
        var s = DriftSignal.Measure(z, [sample], Tau);
        Assert.Equal(1, s.NoisyPairs);
        Assert.Equal(1.0 / 3, s.NoisyPairFraction, 12);
        Assert.Equal(0, DriftSignal.Measure(z, [], Tau).NoisyPairs);
    }

    [Fact]
    public void Add_SumsPairs_RatioOfMeans()
    {
        var a = new DriftSignal { Pairs = 3, MuEnergySum = 3, LocationEnergySum = 30 };
        var b = new DriftSignal { Pairs = 1, MuEnergySum = 5, LocationEnergySum = 10, SamplePairs = 2, PosteriorNoiseSum = 1 };
        var s = a.Add(b);
        Assert.Equal(4, s.Pairs);
        Assert.Equal(2.0, s.MuEnergy);
        Assert.Equal(10.0, s.LocationEnergy);
        Assert.Equal(0.2, s.Ratio, 12);
        Assert.Equal(4.0, s.PosteriorSnr, 12);
    }

    [Fact]
    public void Measure_RejectsMisshapenSample()
    {
        using var scope = NewDisposeScope();
        var z = zeros([1, 5, 2, 2, 2], dtype: ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => DriftSignal.Measure(z, [zeros([1, 5, 2, 2, 3], dtype: ScalarType.Float64)], Tau));
    }

    [Fact]
    public void Survey_TinyRandomVae_Deterministic_RatiosInRange()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Load(RelyKit.Repo("configs/tiny/vae/config.json")));
        vae.eval();
        var options = new DriftSignalSurveyOptions(Size: 32, Clips: 2, Samples: 2, Frames: 17);
        DriftSignalCondition[] conditions = [DriftSignalCondition.Pinned("uniform", "static", "constant"), DriftSignalCondition.Pinned("texture", "pan", "constant")];
        var first = DriftSignalSurvey.Run(vae, conditions, options);
        var second = DriftSignalSurvey.Run(vae, conditions, options);
        Assert.Equal(2, first.Count);
        for (var i = 0; i < first.Count; i++)
        {
            var (a, b) = (first[i], second[i]);
            Assert.Equal(a.Signal, b.Signal);                       // same clips, same posterior draws
            Assert.Equal(a.VaeFloorM1c, b.VaeFloorM1c);
            Assert.Equal(2 * 3, a.Signal.Pairs);                    // 17 frames → 5 latent frames → 3 pairs at τ = 2
            Assert.Equal(2 * 2 * 3, a.Signal.SamplePairs);
            Assert.InRange(a.Signal.Ratio, 0.0, 1.0);
            Assert.True(a.Signal.PosteriorNoise > 0);
            Assert.NotNull(a.GroundTruthM1c);
        }
        Assert.Contains("| uniform/static/constant | 32 | 2 |", DriftSignalTable.Signal(first));
        Assert.Contains("| texture/pan/constant | 32 |", DriftSignalTable.Floor(first));
    }

    [Fact]
    public void Cli_DriftSignal_WritesOneRowPerCondition_AndBothTables()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lamo-drift-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var vaeDir = Path.Combine(dir, "vae");
            using (var scope = NewDisposeScope())
            {
                manual_seed(1);
                using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Load(RelyKit.Repo("configs/tiny/vae/config.json")));
                vae.SavePretrained(vaeDir);
            }
            var json = Path.Combine(dir, "out", "drift.json");
            var (code, output) = CliTestRunner.Invoke(LaMo.Cli.Commands.WorldCommands.Create(), "world", "drift-signal", "--vae", vaeDir,
                "--size", "32", "--clips", "1", "--samples", "1", "--conditions", "uniform/static/constant,mixed preset", "--out", json);
            Assert.Equal(0, code);
            Assert.Contains("| mixed preset | 32 | 1 |", output);
            Assert.Contains("M1c VAE", output);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
            var rows = doc.RootElement.GetProperty("rows");
            Assert.Equal(2, rows.GetArrayLength());
            Assert.Equal("uniform/static/constant", rows[0].GetProperty("condition").GetString());
            Assert.Equal(3, rows[0].GetProperty("signal").GetProperty("pairs").GetInt64());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Conditions_SelectByLabel_UnknownNamed()
    {
        Assert.Equal(DriftSignalCondition.Standard.Count, DriftSignalCondition.Select(null).Count);
        Assert.Equal("texture/pan/constant", DriftSignalCondition.Select(["texture/pan/constant"]).Single().Label);
        var ex = Assert.Throws<ArgumentException>(() => DriftSignalCondition.Select(["sky/pan/constant"]));
        Assert.Contains("sky/pan/constant", ex.Message);
        Assert.True(DriftSignalCondition.Standard[0].Options.IsV1);
    }
}
