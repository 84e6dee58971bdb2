using LaMo.Models.CogVideoXVae;
using Xunit;
using Xunit.Abstractions;
using static LaMo.Tests.Models.CogVideoXVae.VaeTestSupport;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoXVae;

/// <summary>The embedded tiny preset (configs/tiny/vae): 17×64×64 clips ⇄ 5×16×16 latents.</summary>
[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class CogVideoXVaeTinyPresetTests(ITestOutputHelper output)
{
    [Fact]
    public void Tiny_EncodeDecode17x64x64_ShapesAndParameterCount()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Load(RepoPath("configs/tiny/vae/config.json")));
        using var noGrad = no_grad();
        output.WriteLine($"tiny VAE parameters: {vae.ParameterCount:N0}");
        Assert.Equal(CogVideoXVaeFullSizeTests.ExpectedParameters(vae.Config), vae.ParameterCount);
        Assert.Equal(2_514_539, vae.ParameterCount);
        var video = Rand(1, 3, 17, 64, 64) * 2 - 1;
        using var dist = vae.Encode(video);
        Assert.Equal(new long[] { 1, 4, 5, 16, 16 }, dist.Mean.shape);
        var recon = vae.Decode(dist.Sample(new Generator(1)));
        Assert.Equal(new long[] { 1, 3, 17, 64, 64 }, recon.shape);
        Assert.False(recon.isnan().any().item<bool>());
    }

    [Fact]
    public void Tiny_Backward_GradientsReachEncoderInput()
    {
        // The tiny VAE is trained: chunked encode/decode must keep the autograd graph across chunks and caches.
        using var scope = NewDisposeScope();
        using var vae = NewSmall(seed: 11);
        vae.train();
        var video = (Rand(1, 3, 17, 8, 8) * 2 - 1).requires_grad_(true);
        using var dist = vae.Encode(video);
        var recon = vae.Decode(dist.Mean);
        var loss = (recon - video).square().mean() + dist.Kl().mean() * 1e-6;
        loss.backward();
        var grad = video.grad!;
        // Frame 0 influences the second encoder chunk through the conv cache, so its gradient is non-zero.
        Assert.True(grad[.., .., 0].abs().sum().item<float>() > 0);
        Assert.All(vae.parameters(), p => Assert.NotNull(p.grad));
    }
}
