using LaMo.Models.CogVideoX;
using LaMo.Motion;

namespace LaMo.Bench;

/// <summary>A benchmark workload: a transformer config at a latent size, a text length, a batch and a motion prior.</summary>
internal sealed record Workload(string Name, CogVideoXTransformerConfig Config, int Batch, int LatentFrames, int LatentHeight, int LatentWidth,
    MotionPriorConfig Prior)
{
    public int TextTokens => Config.MaxTextSeqLength;
    public long VideoTokens => (long)LatentFrames * (LatentHeight / Config.PatchSize) * (LatentWidth / Config.PatchSize);
    public int PixelFrames => (LatentFrames - 1) * Config.TemporalCompressionRatio + 1;

    /// <summary>Tiny preset: latent [3, 16, 8, 8] (9 frames), 16 text tokens, prior hidden 16 × 2 blocks.</summary>
    public static Workload Tiny(int batch) => new("tiny", CogVideoXTransformerPresets.Tiny, batch, 3, 8, 8,
        new MotionPriorConfig { InChannels = 16, HiddenChannels = 16, NumResBlocks = 2, PromptTextDim = 32, PromptCondDim = 8 });

    /// <summary>Small preset: latent [5, 16, 16, 16] (17 frames), 32 text tokens, prior = MotionPriorConfig.Small on 64-wide text.</summary>
    public static Workload Small(int batch) => new("small", CogVideoXTransformerPresets.Small, batch, 5, 16, 16,
        MotionPriorConfig.Small with { PromptTextDim = 64, PromptCondDim = 64 });

    /// <summary>The CogVideoX-2B sampling configuration: 49×480×720 → latent 13×60×90, 226 text tokens, CFG batch 2,
    /// prior at the paper config.</summary>
    public static Workload CogVideoX2B => new("cogvideox-2b", CogVideoXTransformerPresets.CogVideoX2B, 2, 13, 60, 90, MotionPriorConfig.Paper);

    /// <summary>Sampling FLOPs of one CFG step (batch 2·B forward) of the backbone.</summary>
    public double BackboneSamplingFlops(int batch = 1) =>
        TransformerFlops.ForwardFlops(Config, 2L * batch, LatentFrames, LatentHeight, LatentWidth, TextTokens);

    /// <summary>Motion Prior Guidance FLOPs per guided step (prior fwd + bwd on F−1 frames of each video).</summary>
    public double GuidanceFlops(int batch = 1) => batch * MotionPriorFlops.GuidanceStepFlops(Prior, LatentFrames, LatentHeight, LatentWidth);

    /// <summary>Builds a workload whose MPG-to-backbone FLOP ratio per sampling step is as close as possible to
    /// <paramref name="targetRatio"/>: a 6-head × 32 backbone on a 5×24×24 latent (720 video + 32 text tokens), with the
    /// number of layers and the prior's width and depth chosen by a small search (backbone cost kept near 1e10 FLOPs per step).</summary>
    public static Workload RatioMatched(double targetRatio)
    {
        Workload? best = null;
        double bestScore = double.MaxValue;
        foreach (int layers in Enumerable.Range(2, 11))
            foreach (int hidden in new[] { 8, 16, 24, 32, 48, 64 })
                foreach (int blocks in Enumerable.Range(1, 8))
                {
                    var cfg = CogVideoXTransformerPresets.Small with { NumAttentionHeads = 6, AttentionHeadDim = 32, NumLayers = layers, SampleHeight = 24, SampleWidth = 24 };
                    var prior = new MotionPriorConfig { InChannels = 16, HiddenChannels = hidden, NumResBlocks = blocks, PromptTextDim = 64, PromptCondDim = 64 };
                    var w = new Workload("ratio-matched", cfg, 1, 5, 24, 24, prior);
                    double ratio = w.GuidanceFlops() / w.BackboneSamplingFlops();
                    double score = Math.Abs(Math.Log(ratio / targetRatio)) + 0.05 * Math.Abs(Math.Log(w.BackboneSamplingFlops() / 1e10));
                    if (score < bestScore) { bestScore = score; best = w; }
                }
        return best!;
    }
}
