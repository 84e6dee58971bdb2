using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>Pixel-level metrics of one clip: M6 (permanence, spurious blobs) and M8 (Physics-IQ-style mask agreement
/// with the lossless GT render, plus pixel MSE). Judged frames are those after the given ones.</summary>
/// <param name="Permanence">Fraction of (object, valid frame) detected; null without valid frames.</param>
/// <param name="SpuriousRate">Blobs of a ball colour beyond the number of balls of that colour, per judged frame.</param>
/// <param name="SpatioTemporalIoU">IoU over (object, frame, pixel) of masks w ≥ threshold.</param>
/// <param name="SpatialIoU">IoU of per-object masks OR-ed over the judged frames.</param>
/// <param name="WeightedSpatialIoU">Σ min(n, n̂) / Σ max(n, n̂), n = judged frames a pixel is in an object's mask.</param>
/// <param name="PixelMse">Mean squared difference on [0, 1] intensities over judged frames, pixels and channels.</param>
public sealed record MaskMetrics(double? Permanence, double? SpuriousRate, double? SpatioTemporalIoU, double? SpatialIoU,
    double? WeightedSpatialIoU, double? PixelMse)
{
    /// <summary>Computes the pixel metrics.</summary>
    /// <param name="clip">Ground truth.</param>
    /// <param name="video">Generated frames.</param>
    /// <param name="groundTruth">Lossless GT render of the clip.</param>
    /// <param name="tracks">Parser tracks of <paramref name="video"/> (for permanence and detected counts).</param>
    /// <param name="options">Options.</param>
    public static MaskMetrics Compute(WorldClip clip, FrameStack video, FrameStack groundTruth, IReadOnlyList<ObjectTrack> tracks, PhysicsOptions options)
    {
        int w = video.Width, h = video.Height, hw = w * h, given = options.GivenFrames;
        int valid = tracks.Sum(tr => tr.Valid.Count(v => v));
        int detected = tracks.Sum(tr => Enumerable.Range(0, tr.Time.Length).Count(tr.Usable));
        double pixelArea = 1 / (clip.Camera.ScaleX * clip.Camera.ScaleY);
        int minBlob = Math.Max(1, (int)Math.Ceiling(options.DetectionFraction * Math.PI * options.SpuriousMinRadius * options.SpuriousMinRadius / pixelArea));

        long inter = 0, union = 0, spurious = 0;
        double sse = 0;
        var counts = clip.Objects.Select(_ => (Gen: new int[hw], Gt: new int[hw])).ToArray();
        for (var t = given; t < video.Count; t++)
        {
            ReadOnlySpan<byte> f = video.Frame(t), g = groundTruth.Frame(t);
            for (var i = 0; i < f.Length; i++) { var d = (f[i] - g[i]) / 255.0; sse += d * d; }
            for (var ch = 0; ch < 3; ch++)
            {
                var gain = clip.Frames[t].Light?.Channel(ch) ?? 1;
                var mask = ColourParser.Mask(f, w, h, ch, options.MaskThreshold, gain);
                var owners = clip.Objects.Where(o => ColourParser.ChannelOf(o.Colour) == ch).ToArray();
                // Each ball of this colour may account for one blob (also a partly visible one that is not "detected").
                spurious += Math.Max(0, ColourParser.CountBlobs(mask, w, h, minBlob) - owners.Length);
                foreach (var o in owners)
                {
                    var gm = ColourParser.Mask(g, w, h, ch, options.MaskThreshold, gain);
                    var (cg, ct) = counts[o.Id];
                    for (var p = 0; p < hw; p++)
                    {
                        if (mask[p] && gm[p]) inter++;
                        if (mask[p] || gm[p]) union++;
                        if (mask[p]) cg[p]++;
                        if (gm[p]) ct[p]++;
                    }
                }
            }
        }
        long sInter = 0, sUnion = 0, wMin = 0, wMax = 0;
        foreach (var (cg, ct) in counts)
            for (var p = 0; p < hw; p++)
            {
                if (cg[p] > 0 && ct[p] > 0) sInter++;
                if (cg[p] > 0 || ct[p] > 0) sUnion++;
                wMin += Math.Min(cg[p], ct[p]);
                wMax += Math.Max(cg[p], ct[p]);
            }
        int judged = video.Count - given;
        return new MaskMetrics(
            valid == 0 ? null : detected / (double)valid,
            judged == 0 ? null : spurious / (double)judged,
            union == 0 ? null : inter / (double)union,
            sUnion == 0 ? null : sInter / (double)sUnion,
            wMax == 0 ? null : wMin / (double)wMax,
            judged == 0 ? null : sse / ((double)judged * video.FrameBytes));
    }
}
