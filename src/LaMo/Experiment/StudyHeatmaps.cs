using LaMo.Diffusion.Pipeline;
using LaMo.Motion;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>Drift and field heatmaps (docs/method.md §4) of one clip: on the generated latents and on the encoded ground truth,
/// blended onto the matching RGB frame (upscaled so a 64 px frame is readable), each a figure with a title, axes in the
/// frame's pixels and a colour bar in the map's units (<see cref="HeatmapFigure"/>).</summary>
public static class StudyHeatmaps
{
    /// <summary>Nearest-neighbour upscale factor of the PNGs.</summary>
    public const int Scale = 4;

    /// <summary>Writes <c>heatmaps/{clip}_{variant|gt}_{drift|field}.png</c> under <paramref name="runFolder"/>; returns
    /// (relative path, caption) pairs.</summary>
    /// <param name="runFolder">Run folder.</param>
    /// <param name="pipeline">Pipeline whose text encoder pools the prompt.</param>
    /// <param name="prior">The predictor f_φ.</param>
    /// <param name="clip">Clip.</param>
    /// <param name="generated">Generated latents [1, F', C, h, w].</param>
    /// <param name="groundTruth">Encoded GT latents [1, F', C, h, w].</param>
    /// <param name="video">Generated RGB video.</param>
    /// <param name="variant">Variant name (file and caption).</param>
    public static IReadOnlyList<(string Path, string Caption)> Write(string runFolder, CogVideoXPipeline pipeline, MotionPrior prior, StudyClip clip,
        Tensor generated, Tensor groundTruth, Evaluation.FrameStack video, string variant)
    {
        using var scope = NewDisposeScope();
        Tensor? pooled = null;
        if (pipeline.TextEncoder is { } text)
            using (var enc = text.Encode([clip.World.Caption])) pooled = MotionPrior.PoolPrompt(enc.Embeddings.to_type(ScalarType.Float32));
        var written = new List<(string, string)>();
        string tag = variant.Replace("+", "plus-", StringComparison.Ordinal);
        foreach (var (name, latents, frames) in new[] { (tag, generated, video), ("gt", groundTruth, clip.Render()) })
        {
            var maps = InterpretabilityMaps.Compute(prior, latents, pooled);
            int rgb = Math.Min(frames.Count - 1, 4 * maps.PeakFrame + 2);                   // middle of the 4 RGB frames of D(f*)
            var frame = Upscale(frames, rgb);
            foreach (var (kind, map) in new[] { ("drift", maps.DriftMap), ("field", maps.FieldMap) })
            {
                string rel = Path.Combine("heatmaps", $"{clip.Id}_{name}_{kind}.png");
                string caption = $"{(name == "gt" ? "ground truth" : variant)}: {kind} map at latent frame f* = {maps.PeakFrame} (RGB frame {rgb})";
                HeatmapFigure.WritePng(Path.Combine(runFolder, rel), map, frame, frames.Width, frames.Height, Labels(clip.Id, caption, kind, frames.Width / (int)map.shape[1]));
                written.Add((rel.Replace('\\', '/'), caption));
            }
        }
        return written;
    }

    /// <summary>Title, axes and colour-bar label of one heatmap figure.</summary>
    /// <param name="clipId">Clip id.</param>
    /// <param name="caption">Which video and map (the report's caption).</param>
    /// <param name="kind"><c>drift</c> or <c>field</c>.</param>
    /// <param name="cellPixels">Frame pixels per latent cell (the VAE's spatial downsampling).</param>
    public static HeatmapLabels Labels(string clipId, string caption, string kind, int cellPixels) => new(
        $"{clipId} · {caption}",
        $"x (frame pixel; one latent cell = {cellPixels} px)",
        "y (frame pixel, from the top)",
        kind == "drift" ? "R_drift = |<D, μ>| / ‖μ‖ per cell" : "R_field = ‖Δf_φ‖ per cell");

    private static byte[,,] Upscale(Evaluation.FrameStack v, int t)
    {
        var src = v.Frame(t);
        var img = new byte[v.Height * Scale, v.Width * Scale, 3];
        for (int i = 0; i < v.Height * Scale; i++)
            for (int j = 0; j < v.Width * Scale; j++)
                for (int c = 0; c < 3; c++) img[i, j, c] = src[((i / Scale) * v.Width + j / Scale) * 3 + c];
        return img;
    }
}
