using LaMo.Models.WanVae;
using LaMo.Verification;
using Xunit;
using static LaMo.Tests.Models.WanVae.WanVaeTestSupport;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.WanVae;

[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class WanVaeBehaviourTests
{
    [Fact]
    public void Verifier_PerturbedEncoderWeight_FailsEncodeOutputsOnly()
    {
        using var golden = GoldenFixture.Load("wan_vae_2_2");
        using var scope = NewDisposeScope();
        using (no_grad()) golden.Weights["encoder.down_blocks.1.downsampler.time_conv.bias"].add_(1e-3);
        var results = new WanVaeVerifier().Verify(golden).ToList();
        var failed = results.Where(r => !r.Passed).Select(r => r.Output).ToList();
        // The temporal downsampler only acts from the second chunk on, so frame 0's latents still match.
        Assert.Contains("encode_f9.moments", failed);
        Assert.Contains("pipeline_encode_f5.latents_normalized", failed);
        Assert.Contains(results, r => r.Output == "intermediate.encode_f5.encoder.down_blocks.1.chunk0" && r.Passed);
        Assert.Contains(results, r => r.Output == "intermediate.encode_f5.encoder.down_blocks.1.chunk1" && !r.Passed);
        Assert.DoesNotContain(failed, o => o.Contains("decode", StringComparison.Ordinal));
    }

    [Fact]
    public void Patchify_PutsWidthOffsetBeforeHeightOffset_AndUnpatchifyInverts()
    {
        using var scope = NewDisposeScope();
        var x = arange(0, 2 * 3 * 2 * 4 * 6, dtype: ScalarType.Float32).reshape(2, 3, 2, 4, 6);   // [B, C, F, H, W]
        var p = WanPatchify.Patchify(x, 2);
        Assert.Equal([2, 12, 2, 2, 3], p.shape);
        // Channel c·4 + pw·2 + ph at (h, w) holds pixel (2h + ph, 2w + pw) of channel c.
        for (int c = 0; c < 3; c++)
            for (int pw = 0; pw < 2; pw++)
                for (int ph = 0; ph < 2; ph++)
                {
                    float expected = x[1, c, 1, 2 + ph, 4 + pw].item<float>();
                    Assert.Equal(expected, p[1, c * 4 + pw * 2 + ph, 1, 1, 2].item<float>());
                }
        Assert.Equal(0.0, MaxAbs(WanPatchify.Unpatchify(p, 2), x));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encode_IsCausal_EarlierLatentFramesIgnoreLaterVideoFrames(bool wan22)
    {
        using var scope = NewDisposeScope();
        using var vae = New(wan22 ? Tiny22 : Tiny21, seed: 1);
        using var noGrad = no_grad();
        var video = rand([1, 3, 9, 16, 16]).mul(2).sub(1);
        var changed = video.clone();
        changed[.., .., 5..] = rand([1, 3, 4, 16, 16]);
        using var a = vae.Encode(video);
        using var b = vae.Encode(changed);
        int t = vae.Config.TemporalCompression;                      // latent frame k sees video frames ≤ k·t
        long unaffected = 1 + 4 / t;                                 // frames 0..4 → latent frames 0..4/t
        Assert.Equal(0.0, MaxAbs(a.Moments[.., .., ..(int)unaffected], b.Moments[.., .., ..(int)unaffected]));
        Assert.True(MaxAbs(a.Moments, b.Moments) > 1e-4, "changing later frames must change the later latents");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_IsCausal_AndClamps(bool wan22)
    {
        using var scope = NewDisposeScope();
        using var vae = New(wan22 ? Tiny22 : Tiny21, seed: 2);
        using var noGrad = no_grad();
        var z = randn([1, 4, 3, 2, 2]).mul(3);
        var changed = z.clone();
        changed[.., .., 2..] = randn([1, 4, 1, 2, 2]);
        var a = vae.Decode(z, clamp: false);
        var b = vae.Decode(changed, clamp: false);
        int t = vae.Config.TemporalCompression, s = vae.Config.SpatialCompression;
        Assert.Equal([1, 3, 1 + 2 * t, 2 * s, 2 * s], a.shape);
        long kept = 1 + t;                                           // latent frames 0, 1 → video frames 0..t
        Assert.Equal(0.0, MaxAbs(a[.., .., ..(int)kept], b[.., .., ..(int)kept]));
        Assert.True(MaxAbs(a, b) > 1e-4);
        var clamped = vae.Decode(z);
        Assert.Equal(0.0, MaxAbs(clamped, a.clamp(-1, 1)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_ThroughEncodeAndDecode_GivesFiniteNonZeroGradients(bool wan22)
    {
        using var scope = NewDisposeScope();
        using var vae = New(wan22 ? Tiny22 : Tiny21, seed: 3);
        vae.train();
        var video = rand([2, 3, 5, 16, 16]).mul(2).sub(1).requires_grad_(true);
        using var dist = vae.Encode(video);
        var recon = vae.Decode(vae.DenormalizeLatents(vae.NormalizeLatents(dist.Mean)), clamp: false);
        var loss = recon.sub(video.detach()).pow(2).mean().add(dist.Kl().mean().mul(1e-3));
        loss.backward();
        Assert.True(loss.item<float>() is var l && float.IsFinite(l));
        AssertFiniteNonZero(video.grad, "video");
        foreach (var (name, p) in vae.named_parameters())
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name}: non-finite gradient");
        }
        // Frame-0 and chunked paths both receive gradient: encoder conv_in, the temporal convs, the decoder output.
        foreach (var name in new[] { "encoder.conv_in.weight", "decoder.conv_out.weight", "post_quant_conv.weight" })
            AssertFiniteNonZero(vae.named_parameters().Single(kv => kv.name == name).parameter.grad, name);
        var timeConvs = vae.named_parameters().Where(kv => kv.name.Contains("time_conv.weight")).ToList();
        Assert.NotEmpty(timeConvs);
        Assert.All(timeConvs, kv => AssertFiniteNonZero(kv.parameter.grad, kv.name));
    }

    [Fact]
    public void Gradient_Float64_MatchesFiniteDifferenceAcrossChunks()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var vae = new AutoencoderKLWan(Tiny22, dtype: ScalarType.Float64);
        vae.eval();
        var video = rand([1, 3, 5, 8, 8], dtype: ScalarType.Float64).mul(2).sub(1);
        var direction = randn_like(video);
        var weights = randn([1, 4, 3, 1, 1], dtype: ScalarType.Float64);          // a fixed linear read-out of the output
        double Objective(Tensor v)
        {
            using var d = vae.Encode(v);
            var z = d.Mean;
            return vae.Decode(z, clamp: false).mean([1, 3, 4]).sum().add(z.mul(weights.expand(z.shape)).sum()).item<double>();
        }
        var x = video.clone().requires_grad_(true);
        using (var d = vae.Encode(x))
        {
            var z = d.Mean;
            var total = vae.Decode(z, clamp: false).mean([1, 3, 4]).sum().add(z.mul(weights.expand(z.shape)).sum());
            total.backward();
        }
        double analytic = x.grad!.mul(direction).sum().item<double>();
        const double eps = 1e-5;
        double numeric;
        using (no_grad())
            numeric = (Objective(video.add(direction, alpha: eps)) - Objective(video.add(direction, alpha: -eps))) / (2 * eps);
        Assert.True(Math.Abs(analytic - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"autograd {analytic} vs finite difference {numeric}");
    }

    [Fact]
    public void Encode_FrameCountNotOnePlusFourK_Throws()
    {
        using var scope = NewDisposeScope();
        using var vae = New(Tiny21);
        var e = Assert.Throws<ArgumentException>(() => vae.Encode(zeros([1, 3, 6, 16, 16])));
        Assert.Contains("1 + 4k", e.Message);
        Assert.Throws<ArgumentException>(() => vae.Encode(zeros([1, 3, 5, 18, 16])));
        Assert.Throws<ArgumentException>(() => vae.Decode(zeros([1, 5, 2, 2, 2])));
    }

    [Fact]
    public void Slicing_GivesTheSameResult()
    {
        using var scope = NewDisposeScope();
        using var vae = New(Tiny22, seed: 5);
        using var noGrad = no_grad();
        var video = rand([2, 3, 5, 16, 16]);
        using var whole = vae.Encode(video);
        vae.UseSlicing = true;
        using var sliced = vae.Encode(video);
        Assert.True(MaxAbs(whole.Moments, sliced.Moments) < 1e-6);
        Assert.True(MaxAbs(vae.Decode(whole.Mean), vae.Decode(whole.Mean)) == 0);
    }

    private static void AssertFiniteNonZero(Tensor? grad, string name)
    {
        Assert.NotNull(grad);
        Assert.True(grad!.isfinite().all().item<bool>(), $"{name}: non-finite gradient");
        Assert.True(grad.abs().max().item<float>() > 0, $"{name}: zero gradient");
    }
}
