using LaMo.Models.CogVideoXVae;
using Xunit;
using static LaMo.Tests.Models.CogVideoXVae.VaeTestSupport;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.CogVideoXVae;

/// <summary>Causality and chunking properties. GroupNorm statistics span all frames of a chunk (as in diffusers), so
/// the exact properties are: the causal conv is causal and chunk-invariant; the encoder/decoder are causal at chunk
/// boundaries; a single big chunk is not causal.</summary>
[Collection("Torch")]   // draws from TorchSharp's global generator
public sealed class CogVideoXVaeCausalityTests
{
    [Fact]
    public void CausalConv_FutureFramesPerturbed_PastOutputsUnchanged()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var conv = new CogVideoXCausalConv3d(2, 3, 3);
        var x = Randn(1, 2, 8, 5, 5);
        var perturbed = x.clone();
        perturbed[.., .., 4..] += Randn(1, 2, 4, 5, 5);             // frames > k = 3
        using var c1 = new ConvCache();
        using var c2 = new ConvCache();
        var y = conv.forward(x, c1);
        var yp = conv.forward(perturbed, c2);
        Assert.Equal(0.0, MaxAbs(y[.., .., ..4], yp[.., .., ..4]));
        Assert.True(MaxAbs(y[.., .., 4..], yp[.., .., 4..]) > 1e-3);
    }

    [Fact]
    public void CausalConv_ChunkedWithCache_EqualsOneShot()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var conv = new CogVideoXCausalConv3d(2, 3, 3);
        var x = Randn(2, 2, 9, 4, 6);
        using var oneCache = new ConvCache();
        var oneShot = conv.forward(x, oneCache);
        using var cache = new ConvCache();
        var chunked = cat([conv.forward(x[.., .., ..3], cache), conv.forward(x[.., .., 3..4], cache), conv.forward(x[.., .., 4..], cache)], 2);
        Assert.Equal(1, cache.Count);
        Assert.True(MaxAbs(oneShot, chunked) <= 1e-6, $"max diff {MaxAbs(oneShot, chunked)}");
        // First chunk replicates frame 0: equals a conv of [x0, x0, x0..] without cache.
        Assert.Equal(oneShot.shape, chunked.shape);
    }

    [Fact]
    public void Encode_ChunkOf4_FutureChunksPerturbed_PastLatentsUnchanged()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall();
        using var noGrad = no_grad();
        vae.NumSampleFramesBatchSize = 4;                             // chunks: frames 0–4, 5–8, 9–12, 13–16
        var video = Rand(1, 3, 17, 16, 16) * 2 - 1;
        var perturbed = video.clone();
        perturbed[.., .., 9..] = Rand(1, 3, 8, 16, 16) * 2 - 1;       // frames ≥ 9 → latents ≥ 3
        using var a = vae.Encode(video);
        using var b = vae.Encode(perturbed);
        Assert.Equal(new long[] { 1, 4, 5, 4, 4 }, a.Mean.shape);
        Assert.Equal(0.0, MaxAbs(a.Moments[.., .., ..3], b.Moments[.., .., ..3]));
        Assert.True(MaxAbs(a.Moments[.., .., 3..], b.Moments[.., .., 3..]) > 1e-4);
    }

    [Fact]
    public void Encode_SingleChunk_GroupNormSpansFrames_NotCausal()
    {
        // Documents diffusers' behaviour: within one chunk, GroupNorm statistics mix all frames.
        using var scope = NewDisposeScope();
        using var vae = NewSmall();
        using var noGrad = no_grad();
        vae.NumSampleFramesBatchSize = 32;
        var video = Rand(1, 3, 17, 16, 16) * 2 - 1;
        var perturbed = video.clone();
        perturbed[.., .., 9..] = Rand(1, 3, 8, 16, 16) * 2 - 1;
        using var a = vae.Encode(video);
        using var b = vae.Encode(perturbed);
        Assert.True(MaxAbs(a.Moments[.., .., ..1], b.Moments[.., .., ..1]) > 1e-6);
    }

    [Fact]
    public void Decode_ChunkOf2_FutureLatentsPerturbed_PastFramesUnchanged()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall();
        using var noGrad = no_grad();
        var z = Randn(1, 4, 5, 4, 4);                                // chunks: latents 0–2 (frames 0–8), 3–4 (9–16)
        var perturbed = z.clone();
        perturbed[.., .., 3..] += 1.0;
        var a = vae.Decode(z);
        var b = vae.Decode(perturbed);
        Assert.Equal(new long[] { 1, 3, 17, 16, 16 }, a.shape);
        Assert.Equal(0.0, MaxAbs(a[.., .., ..9], b[.., .., ..9]));
        Assert.True(MaxAbs(a[.., .., 9..], b[.., .., 9..]) > 1e-4);
    }

    [Fact]
    public void Encode_Chunked_EqualsEncoderRunOverSameChunksWithOneCache()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall();
        using var noGrad = no_grad();
        vae.NumSampleFramesBatchSize = 4;
        var video = Rand(1, 3, 17, 8, 8) * 2 - 1;
        using var dist = vae.Encode(video);
        using var cache = new ConvCache();
        var manual = cat([.. new[] { (0, 5), (5, 9), (9, 13), (13, 17) }
            .Select(r => vae.Encoder.forward(video[.., .., r.Item1..r.Item2], cache))], 2);
        Assert.Equal(0.0, MaxAbs(dist.Moments, manual));
        // Default chunking (8) on 17 frames = chunks 0–8, 9–16: a different (diffusers) result from chunking by 4.
        vae.NumSampleFramesBatchSize = 8;
        using var byEight = vae.Encode(video);
        Assert.True(MaxAbs(byEight.Moments, dist.Moments) > 1e-6);
    }

    [Fact]
    public void EncodeDecode_Slicing_EqualsWholeBatch()
    {
        using var scope = NewDisposeScope();
        using var vae = NewSmall();
        using var noGrad = no_grad();
        var video = Rand(2, 3, 9, 8, 8) * 2 - 1;
        using var whole = vae.Encode(video);
        var decodedWhole = vae.Decode(whole.Mean);
        vae.EnableSlicing();
        using var sliced = vae.Encode(video);
        var decodedSliced = vae.Decode(whole.Mean);
        Assert.True(MaxAbs(whole.Moments, sliced.Moments) <= 1e-6);
        Assert.True(MaxAbs(decodedWhole, decodedSliced) <= 1e-6);
        Assert.Equal(new long[] { 2, 3, 9, 8, 8 }, decodedSliced.shape);
    }

    [Fact]
    public void Sample_SameGenerator_Reproducible_AndLogVarClamped()
    {
        using var scope = NewDisposeScope();
        var moments = cat([Randn(1, 2, 1, 2, 2), full(new long[] { 1, 2, 1, 2, 2 }, 50f)], 1);
        using var dist = new LatentDistribution(moments.clone());
        Assert.Equal(20f, dist.LogVar.max().item<float>());
        var g1 = new Generator(7); var g2 = new Generator(7);
        Assert.Equal(0.0, MaxAbs(dist.Sample(g1), dist.Sample(g2)));
        Assert.Equal(0.0, MaxAbs(dist.Mode(), moments[.., ..2]));
    }
}
