using System.Text.RegularExpressions;
using LaMo.Cli.Commands;
using LaMo.Training;
using Xunit;

namespace LaMo.Tests.Cli;

/// <summary>Issue 16, "output a person can read": with output redirected, long commands print progress lines with the
/// time left, for training runs as for item jobs (encode, sample, eval).</summary>
public sealed class PlainProgressTests
{
    [Fact]
    public void TrainingRun_PlainLines_CarryTheTimeLeft_AndNoticesPassThrough()
    {
        var output = new StringWriter();
        CliSupport.RunWithProgress("train", 40, output, progress =>
        {
            progress.Report(new TrainingProgress(10, 40, new Dictionary<string, double>(), 0, "resuming from step-000010 (step 10)"));
            for (int step = 11; step <= 40; step++)
            {
                Thread.Sleep(2);
                progress.Report(new TrainingProgress(step, 40, new Dictionary<string, double> { ["loss"] = 1.0 / step, ["grad_norm_lora"] = 3 }, 0.002));
            }
            return new TrainingResult(40, false, 0, null, []);
        });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("train: resuming from step-000010 (step 10)", lines[0]);
        var steps = lines.Skip(1).ToArray();
        Assert.Equal(15, steps.Length);                                          // every 5 % (2 steps) from step 12 to 40
        Assert.All(steps[..^1], l => Assert.Matches(@"^train step=\d{6}/40 loss=\S+ s/step=\d+\.\d{3} ~\d+ s left$", l));
        Assert.EndsWith("done", steps[^1]);
        Assert.DoesNotContain("grad_norm", output.ToString());
    }

    [Fact]
    public void ItemJob_PlainLines_EveryTenthWithTheTimeLeft()
    {
        var output = new StringWriter();
        CliSupport.RunWithCounter("encode", output, progress =>
        {
            for (int i = 1; i <= 50; i++) progress!.Report((i, 50));
        });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 10, 11);
        Assert.All(lines, l => Assert.Matches(new Regex(@"^encode \d+/50 \(\d+ %\) \d+ s elapsed, ~\d+ s left"), l));
    }
}
