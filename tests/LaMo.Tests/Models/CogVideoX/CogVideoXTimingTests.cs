using System.Diagnostics;
using LaMo.Models.CogVideoX;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoX;

/// <summary>Prints forward timings (no_grad, float32, CPU) for the tiny and small presets; asserts only the shape.</summary>
[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class CogVideoXTimingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("tiny", 1, 3, 8, 8, 16)]
    [InlineData("small", 1, 5, 16, 16, 32)]
    public void Forward_Preset_ReportsTiming(string preset, int b, int f, int h, int w, int textLen)
    {
        var config = CogVideoXTransformerPresets.Get(preset);
        manual_seed(0);
        using var model = new CogVideoXTransformer3DModel(config);
        model.eval();
        using var x = randn(new long[] { b, f, config.InChannels, h, w });
        using var text = randn(new long[] { b, textLen, config.TextEmbedDim });
        using var t = tensor(new long[] { 500 });
        var rope = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(config, h * 8, w * 8, f);
        using var _ = no_grad();
        model.forward(x, text, t, rope).Dispose();                    // warm-up
        const int runs = 5;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) model.forward(x, text, t, rope).Dispose();
        sw.Stop();
        long parameters = model.parameters().Sum(p => p.NumberOfElements);
        output.WriteLine($"{preset}: latent [{b}, {f}, {config.InChannels}, {h}, {w}], text {textLen}, {parameters:N0} params, " +
                         $"{sw.Elapsed.TotalMilliseconds / runs:F2} ms/forward (mean of {runs}, threads {get_num_threads()})");
        using var y = model.forward(x, text, t, rope);
        Assert.Equal(new long[] { b, f, config.ResolvedOutChannels, h, w }, y.shape);
        rope.Cos.Dispose(); rope.Sin.Dispose();
    }
}
