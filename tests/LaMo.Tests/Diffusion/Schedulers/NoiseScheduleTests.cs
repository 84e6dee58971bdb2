using LaMo.Diffusion.Schedulers;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Schedulers;

public class NoiseScheduleTests
{
    private static readonly NoiseSchedule Schedule2B = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B);

    /// <summary>Closed form in plain double math: √β linear, cumprod, SNR shift, zero-SNR rescale on √ᾱ.</summary>
    private static double[] Oracle(double shift, bool rescale)
    {
        const int n = 1000;
        double s0 = Math.Sqrt(0.00085), s1 = Math.Sqrt(0.012);
        var ac = new double[n];
        double prod = 1;
        for (int i = 0; i < n; i++)
        {
            double sb = s0 + (s1 - s0) * i / (n - 1);
            prod *= 1 - sb * sb;
            ac[i] = prod / (shift + (1 - shift) * prod);
        }
        if (!rescale) return ac;
        double first = Math.Sqrt(ac[0]), last = Math.Sqrt(ac[^1]);
        return ac.Select(a => Math.Pow((Math.Sqrt(a) - last) * first / (first - last), 2)).ToArray();
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(1.0)]
    public void AlphasCumprod_CogVideoX_MatchesClosedForm(double shift)
    {
        var schedule = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B with { SnrShiftScale = shift });
        var oracle = Oracle(shift, rescale: true);
        for (int i = 0; i < 1000; i++) Assert.True(Math.Abs(schedule.AlphasCumprod[i] - oracle[i]) < 1e-14, $"t={i}: {schedule.AlphasCumprod[i]} vs {oracle[i]}");
    }

    [Fact]
    public void AlphasCumprod_2B_StrictlyDecreasingInUnitIntervalLastExactlyZero()
    {
        var ac = Schedule2B.AlphasCumprod;
        Assert.Equal(1000, ac.Count);
        for (int i = 0; i < 999; i++)
        {
            Assert.InRange(ac[i], double.Epsilon, 1.0);
            Assert.True(ac[i + 1] < ac[i], $"not decreasing at t={i}");
        }
        Assert.Equal(0.0, ac[999]);
        Assert.Equal(1.0, Schedule2B.FinalAlphaCumprod);
    }

    [Fact]
    public void AlphasCumprod_Rescale_KeepsShiftedFirstValueButShiftChangesIt()
    {
        // The zero-SNR rescale keeps ᾱ₀ of the table it is given, i.e. the SNR-shifted one; the shift itself moves it.
        double a0 = 1 - 0.00085, shifted = a0 / (3 - 2 * a0);
        Assert.True(Math.Abs(Schedule2B.AlphasCumprod[0] - shifted) < 1e-15);
        Assert.True(Math.Abs(Schedule2B.AlphasCumprod[0] - a0) > 1e-3);
        var unrescaled = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B with { RescaleBetasZeroSnr = false });
        Assert.True(Math.Abs(unrescaled.AlphasCumprod[0] - Schedule2B.AlphasCumprod[0]) < 1e-15);
        Assert.True(unrescaled.AlphasCumprod[999] > 0);
        var fiveB = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX5B);
        Assert.True(Math.Abs(fiveB.AlphasCumprod[0] - a0) < 1e-15); // s = 1: no shift
    }

    [Fact]
    public void FinalAlphaCumprod_SetAlphaToOneFalse_IsFirstAlpha()
    {
        var s = NoiseSchedule.FromConfig(SchedulerConfig.CogVideoX2B with { SetAlphaToOne = false });
        Assert.Equal(s.AlphasCumprod[0], s.FinalAlphaCumprod);
        Assert.Equal(s.AlphasCumprod[998], s.AlphaCumprodOrFinal(998));
        Assert.Equal(s.FinalAlphaCumprod, s.AlphaCumprodOrFinal(-1));
    }

    [Fact]
    public void Linear_Float32Path_MatchesTorchFloat32Pipeline()
    {
        // diffusers builds "linear" betas in float32; replay its ops with TorchSharp (the same LibTorch kernels).
        using var scope = NewDisposeScope();
        var config = SchedulerConfig.CogVideoX2B with { BetaSchedule = BetaSchedule.Linear, BetaStart = 0.0001, BetaEnd = 0.02 };
        var ours = NoiseSchedule.FromConfig(config);
        var betas = linspace(0.0001, 0.02, 1000, ScalarType.Float32);
        var ac = (1.0 - betas).cumprod(0);
        ac = ac / (3.0 + (1 - 3.0) * ac);
        var sq = ac.sqrt();
        var s0 = sq[0].clone(); var sT = sq[-1].clone();
        sq = (sq - sT) * (s0 / (s0 - sT));
        ac = sq.pow(2);
        var betasRef = betas.to_type(ScalarType.Float64).data<double>().ToArray();
        var acRef = ac.to_type(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < 1000; i++)
        {
            // torch's vectorised linspace forms start + step·i in blocks, so it can be an ulp off the scalar formula.
            Assert.True(Math.Abs(betasRef[i] - ours.Betas[i]) <= 4e-9, $"beta {i}: {betasRef[i]} vs {ours.Betas[i]}");
            Assert.Equal((double)(float)ours.Betas[i], ours.Betas[i]); // stored as float32 values
            // A few float32 ulps: LibTorch's vectorised sqrt (MKL VML) is not correctly rounded; ours is.
            Assert.True(Math.Abs(acRef[i] - ours.AlphasCumprod[i]) <= 5e-7, $"t={i}: {acRef[i]} vs {ours.AlphasCumprod[i]}");
        }
        Assert.Equal(0.0, ours.AlphasCumprod[999]);
    }

    [Fact]
    public void Gather_Timesteps_CastsTableThenIndexes()
    {
        using var scope = NewDisposeScope();
        var a = Schedule2B.Gather(tensor(new long[] { 999, 500, 0 }), ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(new[] { 0f, (float)Schedule2B.AlphasCumprod[500], (float)Schedule2B.AlphasCumprod[0] }, a.data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule2B.Gather(tensor(new long[] { 1000 }), ScalarType.Float32));
    }
}
