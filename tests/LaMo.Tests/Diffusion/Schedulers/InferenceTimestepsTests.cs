using LaMo.Diffusion.Schedulers;
using Xunit;

namespace LaMo.Tests.Diffusion.Schedulers;

public class InferenceTimestepsTests
{
    private static int[] Compute(TimestepSpacing spacing, int n, int offset = 0) =>
        InferenceTimesteps.Compute(SchedulerConfig.CogVideoX2B with { TimestepSpacing = spacing, StepsOffset = offset }, n);

    [Fact]
    public void SetTimesteps_Trailing50Of1000_Matches999To19()
    {
        int[] expected =
        [
            999, 979, 959, 939, 919, 899, 879, 859, 839, 819, 799, 779, 759, 739, 719, 699, 679, 659, 639, 619,
            599, 579, 559, 539, 519, 499, 479, 459, 439, 419, 399, 379, 359, 339, 319, 299, 279, 259, 239, 219,
            199, 179, 159, 139, 119, 99, 79, 59, 39, 19,
        ];
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B);
        s.SetTimesteps(50);
        Assert.Equal(expected, s.Timesteps);
        Assert.Equal(979, s.PreviousTimestep(999));
        Assert.Equal(-1, s.PreviousTimestep(19));
    }

    [Fact]
    public void SetTimesteps_Trailing10Of1000_Matches999To99() =>
        Assert.Equal([999, 899, 799, 699, 599, 499, 399, 299, 199, 99], Compute(TimestepSpacing.Trailing, 10));

    [Fact]
    public void SetTimesteps_TrailingNonDivisor_RoundsLikeNumpy() =>
        // arange(1000, 0, -333.33…) = 1000, 666.67, 333.33 → round → −1
        Assert.Equal([999, 666, 332], Compute(TimestepSpacing.Trailing, 3));

    [Fact]
    public void SetTimesteps_LeadingWithOffset_AddsOffset() =>
        Assert.Equal([901, 801, 701, 601, 501, 401, 301, 201, 101, 1], Compute(TimestepSpacing.Leading, 10, offset: 1));

    [Fact]
    public void SetTimesteps_Linspace10_RoundedEvenGrid()
    {
        Assert.Equal([999, 888, 777, 666, 555, 444, 333, 222, 111, 0], Compute(TimestepSpacing.Linspace, 10));
        // linspace(0, 999, 4) = 0, 333, 666, 999; (0, 999, 3) = 0, 499.5 → 500 (half to even), 999
        Assert.Equal([999, 500, 0], Compute(TimestepSpacing.Linspace, 3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void SetTimesteps_OutOfRange_Throws(int n)
    {
        using var s = new CogVideoXDDIMScheduler(SchedulerConfig.CogVideoX2B);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.SetTimesteps(n));
    }
}
