using OpenCvSharp;

namespace LaMo.Evaluation.Motion;

/// <summary>Dense optical flow (OpenCV Farneback) and flow-based frame warping on RGB byte frames.</summary>
/// <remarks>Farneback stands in for VBench's RAFT/AMT, which need learned weights we cannot download; DIS is not wrapped
/// and DualTVL1 crashes in this OpenCvSharp (platform-notes.md).</remarks>
public static class FarnebackFlow
{
    /// <summary>Flow from <paramref name="a"/> to <paramref name="b"/>: [H·W] (dx, dy) pixels, row-major.</summary>
    public static (float[] Dx, float[] Dy) Compute(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int height, int width, MotionOptions o)
    {
        using var ga = Gray(a, height, width);
        using var gb = Gray(b, height, width);
        using var flow = new Mat();
        Cv2.CalcOpticalFlowFarneback(ga, gb, flow, o.PyramidScale, o.Levels, o.WindowSize, o.Iterations, 5, 1.1, OpticalFlowFlags.None);
        flow.GetArray(out Vec2f[] v);
        var dx = new float[v.Length];
        var dy = new float[v.Length];
        for (var i = 0; i < v.Length; i++) (dx[i], dy[i]) = (v[i].Item0, v[i].Item1);
        return (dx, dy);
    }

    /// <summary>Backward warp: <c>out(p) = frame(p + s·flow(p))</c>, bilinear, edges replicated; RGB [H, W, 3].</summary>
    public static byte[] Warp(ReadOnlySpan<byte> frame, int height, int width, float[] dx, float[] dy, float s)
    {
        var mx = new float[height * width];
        var my = new float[height * width];
        for (var j = 0; j < height; j++)
            for (var i = 0; i < width; i++)
            {
                var p = j * width + i;
                (mx[p], my[p]) = (i + s * dx[p], j + s * dy[p]);
            }
        using var src = FromBytes(frame, height, width, MatType.CV_8UC3);
        using var mapX = FromArray(mx, height, width);
        using var mapY = FromArray(my, height, width);
        using var dst = new Mat();
        Cv2.Remap(src, dst, mapX, mapY, InterpolationFlags.Linear, BorderTypes.Replicate);
        var bytes = new byte[height * width * 3];
        System.Runtime.InteropServices.Marshal.Copy(dst.Data, bytes, 0, bytes.Length);
        return bytes;
    }

    private static Mat Gray(ReadOnlySpan<byte> rgb, int height, int width)
    {
        using var m = FromBytes(rgb, height, width, MatType.CV_8UC3);
        var g = new Mat();
        Cv2.CvtColor(m, g, ColorConversionCodes.RGB2GRAY);
        return g;
    }

    // Copies into a Mat that owns its memory (FromPixelData only borrows the array).
    private static Mat FromBytes(ReadOnlySpan<byte> data, int height, int width, MatType type)
    {
        var m = new Mat(height, width, type);
        unsafe
        {
            fixed (byte* p = data) Buffer.MemoryCopy(p, (void*)m.Data, data.Length, data.Length);
        }
        return m;
    }

    private static Mat FromArray(float[] data, int height, int width)
    {
        var m = new Mat(height, width, MatType.CV_32FC1);
        System.Runtime.InteropServices.Marshal.Copy(data, 0, m.Data, data.Length);
        return m;
    }
}
