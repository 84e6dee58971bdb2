using static TorchSharp.torch;

namespace LaMo.Video;

/// <summary>Conversions between RGB frames and the model's video tensors [F, 3, H, W] float32 in [-1, 1].</summary>
public static class VideoTensor
{
    /// <summary>[F, H, W, 3] bytes → [F, 3, H, W] float32, x / 127.5 - 1. The caller owns the tensor.</summary>
    public static Tensor FromFrames(VideoFrames v)
    {
        int f = v.Frames, h = v.Height, w = v.Width, hw = h * w;
        var data = new float[f * 3 * hw];
        for (var k = 0; k < f; k++)
            for (var p = 0; p < hw; p++)
            {
                var src = (k * hw + p) * 3;
                for (var c = 0; c < 3; c++) data[(k * 3 + c) * hw + p] = v.Rgb[src + c] / 127.5f - 1f; // [F,H,W,3] → [F,3,H,W]
            }
        return tensor(data, [f, 3, h, w], device: CPU);
    }

    /// <summary>[F, 3, H, W] in [-1, 1] → bytes, round((x + 1) * 127.5) clamped to [0, 255].</summary>
    /// <exception cref="ArgumentException">Not a 4-D tensor with 3 channels.</exception>
    public static VideoFrames ToFrames(Tensor video, double fps)
    {
        if (video.ndim != 4 || video.shape[1] != 3)
            throw new ArgumentException($"video tensor must be [F, 3, H, W], got [{string.Join(", ", video.shape)}]", nameof(video));
        int f = (int)video.shape[0], h = (int)video.shape[2], w = (int)video.shape[3], hw = h * w;
        using var cpu = video.detach().to(float32).cpu().contiguous();
        var data = cpu.data<float>().ToArray();
        var rgb = new byte[f * hw * 3];
        for (var k = 0; k < f; k++)
            for (var c = 0; c < 3; c++)
                for (var p = 0; p < hw; p++)
                    rgb[(k * hw + p) * 3 + c] = (byte)Math.Clamp(MathF.Round((data[(k * 3 + c) * hw + p] + 1f) * 127.5f), 0, 255);
        return new VideoFrames(rgb, f, h, w, fps);
    }
}
