using LaMo.Models.Text;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

/// <summary>The text encoders' sizes and outputs (figures print with <c>--logger "console;verbosity=detailed"</c>; timing
/// belongs to bench/).</summary>
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
    public void WordEncoder_EightPrompts_OneFiniteDistinctEmbeddingEach_SameEveryCall()
    {
        manual_seed(0);
        using var enc = new WordTextEncoder();
        enc.eval();
        using var noGrad = no_grad();
        using var ea = enc.Encode(Prompts);
        using var eb = enc.Encode(Prompts);
        var (a, b) = (ea.Embeddings, eb.Embeddings);
        output.WriteLine($"word encoder: params={enc.ParameterCount()} vocab={enc.Tokenizer.VocabSize} embeddings [{string.Join(", ", a.shape)}]");
        Assert.Equal(Prompts.Length, a.shape[0]);
        Assert.True(a.isfinite().all().item<bool>());
        Assert.True(a.equal(b).all().item<bool>());
        using var pooled = a.mean([1L]);
        for (int i = 1; i < Prompts.Length; i++)   // different prompts, different embeddings
            Assert.False(pooled[0].equal(pooled[i]).all().item<bool>(), $"prompt {i} embeds like prompt 0");
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
