using System.Diagnostics;
using LaMo.Models.Text;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

/// <summary>Prints the figures in the report; run with <c>--logger "console;verbosity=detailed"</c>.</summary>
[Collection("Torch")]
public class TextEncoderFigures(ITestOutputHelper output)
{
    private static readonly string[] Prompts =
    [
        "A small red ball rolls slowly across the floor.", "A large blue ball bounces off the wall.",
        "A tiny green ball is dropped and falls onto the floor.", "The pendulum swings on a string.",
        "A big red ball slides quickly along the floor.", "Two balls collide and bounce.",
        "A blue ball moves fast toward the wall.", "A green ball falls in front of a plain background.",
    ];

    [Fact]
    public void Figure_WordEncoder_EightPromptTiming()
    {
        manual_seed(0);
        using var enc = new WordTextEncoder();
        enc.eval();
        using (no_grad()) enc.Encode(Prompts).Dispose();                  // warm-up
        const int reps = 20;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) _ = enc.Tokenizer.Encode(Prompts);
        double tokenizeMs = sw.Elapsed.TotalMilliseconds / reps;
        sw.Restart();
        for (int i = 0; i < reps; i++)
            using (no_grad()) enc.Encode(Prompts).Dispose();
        double encodeMs = sw.Elapsed.TotalMilliseconds / reps;
        output.WriteLine($"word encoder: params={enc.ParameterCount()} vocab={enc.Tokenizer.VocabSize} " +
                         $"tokenize(8)={tokenizeMs:F3} ms tokenize+encode(8)={encodeMs:F3} ms (mean of {reps}, no_grad)");
        Assert.True(encodeMs < 5_000);
    }

    [Fact]
    public void Figure_T5Xxl_MetaParameterCount()
    {
        using var m = new T5EncoderModel(T5Config.T5V11Xxl, device: META);
        long n = m.ParameterCount();
        output.WriteLine($"T5 v1.1 XXL encoder parameters (meta device): {n:N0} ≈ {n / 1e9:F3} B; bf16 ≈ {n * 2 / 1e9:F2} GB");
        Assert.InRange(n, 4_700_000_000L, 4_800_000_000L);
    }
}
