using LaMo.Video;
using LaMo.World;
using OpenCvSharp;
using Xunit;

namespace LaMo.Tests.Video;

public class VideoIoTests(VideoFixture fx) : IClassFixture<VideoFixture>
{
    private static double MeanAbsDiff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    [Theory]
    [InlineData(VideoCodec.H264, "h264.mp4")]
    [InlineData(VideoCodec.Mp4v, "mp4v.mp4")]
    public void Mp4_RoundTrip_KeepsSizeCountAndColours(VideoCodec codec, string name)
    {
        var path = fx.Path(name);
        Assert.Equal(codec, VideoEncoder.WriteMp4(path, fx.Frames, codec));
        var back = VideoDecoder.Decode(path);
        Assert.Equal((17, 64, 64), (back.Frames, back.Height, back.Width));
        Assert.Equal(10, back.Fps, 3);
        Assert.True(MeanAbsDiff(fx.Frames.Rgb, back.Rgb) < 6, $"mean abs diff {MeanAbsDiff(fx.Frames.Rgb, back.Rgb)}");
        // Channel order survives (OpenCV is BGR inside): the red ball's centre stays red.
        var o = fx.Clip.Frames[0].Objects[0];
        var (u, v) = fx.Clip.Camera.ToPixel(o.X, o.Y);
        var p = 3 * ((int)v * 64 + (int)u);
        Assert.True(back.Rgb[p] > 200 && back.Rgb[p + 2] < 60, $"rgb {back.Rgb[p]},{back.Rgb[p + 1]},{back.Rgb[p + 2]}");
    }

    [Fact]
    public void Gif_RoundTrip_Decodes()
    {
        var path = fx.Path("clip.gif");
        VideoEncoder.Write(path, fx.Frames);
        var back = VideoDecoder.Decode(path);
        Assert.Equal((17, 64, 64), (back.Frames, back.Height, back.Width));
        Assert.True(MeanAbsDiff(fx.Frames.Rgb, back.Rgb) < 3);
    }

    [Theory]
    [InlineData("src.webm", "-c:v", "libvpx-vp9")]
    [InlineData("src.avi", "-c:v", "mpeg4")]
    [InlineData("src.mkv", "-c:v", "libx264")]
    [InlineData("src.gif")]
    public void Decode_OtherContainers_FromFfmpegTestsrc(string name, params string[] args)
    {
        var v = VideoDecoder.Decode(fx.TestSrc(name, codecArgs: args));
        Assert.Equal((96, 64), (v.Width, v.Height));
        Assert.InRange(v.Frames, 24, 26);
    }

    [Fact]
    public void Decode_BeyondTheByteBudget_FailsNamingTheFile_InsteadOfRunningOutOfMemory()
    {
        string path = fx.TestSrc("budget.mp4", size: "64x48", rate: 10, seconds: 2, codecArgs: ["-c:v", "mpeg4"]);
        long frame = 64 * 48 * 3;
        Assert.Equal(20, VideoDecoder.Decode(path, maxBytes: 20 * frame).Frames);   // exactly at the limit
        var e = Assert.Throws<InvalidDataException>(() => VideoDecoder.Decode(path, maxBytes: 19 * frame));
        Assert.Contains(path, e.Message);
        Assert.Contains("decode limit", e.Message);
        Assert.Equal(5, VideoDecoder.Decode(path, maxFrames: 5, maxBytes: 5 * frame).Frames);   // a capped read stays within it
    }

    [Fact]
    public void Decode_ImageFolder_IsLosslessAndRgb()
    {
        var dir = fx.Path("pngs");
        Directory.CreateDirectory(dir);
        for (var k = 0; k < fx.Frames.Frames; k++)
        {
            using var bgr = VideoDecoderAccess.Bgr(fx.Frames, k);
            Cv2.ImWrite(System.IO.Path.Combine(dir, $"f{k:D3}.png"), bgr);
        }
        var back = VideoDecoder.Decode(dir, folderFps: 10);
        Assert.Equal(fx.Frames.Rgb, back.Rgb);
        Assert.Equal(5, VideoDecoder.Decode(dir, maxFrames: 5).Frames);
    }

    [Fact]
    public void Tensor_RangeLayoutAndRoundTrip()
    {
        using var t = VideoTensor.FromFrames(fx.Frames);
        Assert.Equal(new long[] { 17, 3, 64, 64 }, t.shape);
        Assert.Equal(-1f, t.min().item<float>());
        Assert.Equal(1f, t.max().item<float>());
        var o = fx.Clip.Frames[3].Objects[1]; // blue ball
        var (u, v) = fx.Clip.Camera.ToPixel(o.X, o.Y);
        Assert.Equal(-1f, t[3, 0, (long)v, (long)u].item<float>());
        Assert.Equal(1f, t[3, 2, (long)v, (long)u].item<float>());
        Assert.Equal(fx.Frames.Rgb, VideoTensor.ToFrames(t, 10).Rgb);
        Assert.Throws<ArgumentException>(() => VideoTensor.ToFrames(TorchSharp.torch.zeros(2, 4, 8, 8), 10));
    }

    [Fact]
    public void Sampling_StrideAndTargetFps()
    {
        Assert.Equal([0, 2, 4, 6], new FrameSampling(Stride: 2).Indices(10, 30, 4, out _)!);
        Assert.Equal([1, 4, 6, 9], new FrameSampling(Stride: null, TargetFps: 10, Start: 1).Indices(20, 25, 4, out _)!);
        Assert.Null(new FrameSampling(Stride: 3).Indices(9, 30, 4, out var reason));
        Assert.Contains("too short", reason);
        Assert.Throws<ArgumentException>(() => new FrameSampling(Stride: 2, TargetFps: 10).Indices(9, 30, 4, out _));
        Assert.Equal(5, new FrameSampling(Stride: null, TargetFps: 5).OutputFps(25));
    }

    [Fact]
    public void BucketResize_CoversThenCropsCentre()
    {
        // 200 x 100, red left of column 100, blue right → scale 0.64 → 128 x 64 → crop columns 32..95.
        var rgb = new byte[200 * 100 * 3];
        for (var j = 0; j < 100; j++)
            for (var i = 0; i < 200; i++)
                rgb[3 * (j * 200 + i) + (i < 100 ? 0 : 2)] = 255;
        var r = BucketResize.Apply(new VideoFrames(rgb, 1, 100, 200, 10), 64, 64);
        Assert.Equal((64, 64), (r.Width, r.Height));
        Assert.Equal(255, r.Rgb[3 * (20 * 64 + 10)]);
        Assert.Equal(255, r.Rgb[3 * (20 * 64 + 50) + 2]);
        Assert.Equal(0, r.Rgb[3 * (20 * 64 + 50)]);
    }

    [Fact]
    public void Grid_LabelsAndTilesVideos()
    {
        var other = new VideoFrames(Renderer.Render(WorldPhysicsTestsAccess.Clip()), 17, 64, 64, 10);
        var g = VideoGrid.Compose([fx.Frames, other], ["ground truth", "model"], scale: 2);
        Assert.Equal(17, g.Frames);
        Assert.Equal(2 * (128 + 4) + 4, g.Width);
        Assert.Equal(128 + 16 + 8, g.Height);
        // The first cell's pixel (x=4+2i, y=4+16+2j) equals source pixel (i, j).
        for (var k = 0; k < 17; k += 8)
            foreach (var (i, j) in new[] { (0, 0), (20, 30), (63, 63) })
                for (var c = 0; c < 3; c++)
                    Assert.Equal(fx.Frames.Rgb[k * 64 * 64 * 3 + 3 * (j * 64 + i) + c], g.Rgb[k * g.FrameBytes + 3 * ((20 + 2 * j) * g.Width + 4 + 2 * i) + c]);
        Assert.Contains(g.Rgb.Take(g.FrameBytes).Chunk(3), p => p[0] < 100 && p[1] < 100 && p[2] < 100); // label ink
        var path = fx.Path("grid.mp4");
        VideoEncoder.Write(path, g);
        Assert.Equal(g.Width, VideoDecoder.Decode(path).Width);
    }

    [Fact]
    public void RawFile_RoundTripsAndRejectsTruncation()
    {
        var path = fx.Path("clip.rgb");
        RawVideoFile.Write(path, fx.Frames);
        var back = RawVideoFile.Read(path);
        Assert.Equal(fx.Frames.Rgb, back.Rgb);
        Assert.Equal(10, back.Fps);
        var cut = fx.Path("cut.rgb");
        File.WriteAllBytes(cut, File.ReadAllBytes(path)[..1000]);
        Assert.Throws<InvalidDataException>(() => RawVideoFile.Read(cut));
    }
}

internal static class VideoDecoderAccess
{
    public static Mat Bgr(VideoFrames v, int k)
    {
        var m = new Mat(v.Height, v.Width, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(v.Rgb, k * v.FrameBytes, m.Data, v.FrameBytes);
        Cv2.CvtColor(m, m, ColorConversionCodes.RGB2BGR);
        return m;
    }
}

internal static class WorldPhysicsTestsAccess
{
    public static WorldClip Clip() => LaMo.Tests.World.WorldPhysicsTests.Generate(Scenario.DropBounce, "train", 2, size: 64);
}
