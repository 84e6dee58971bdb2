using System.CommandLine;
using LaMo.Cli.Commands;
using LaMo.Evaluation;
using LaMo.Tests.Evaluation.Physics;
using LaMo.World;
using OpenCvSharp;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Evaluation;

public sealed class EvalCommandsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private int Run(params string[] args)
    {
        var root = new Command("lamo");
        root.Subcommands.Add(EvalCommands.Create());
        var sw = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = sw, Error = sw, EnableDefaultExceptionHandler = false });
        output.WriteLine(sw.ToString());
        return code;
    }

    private static void WritePngs(FrameStack v, string dir)
    {
        Directory.CreateDirectory(dir);
        for (var t = 0; t < v.Count; t++)
        {
            using var rgb = new Mat(v.Height, v.Width, MatType.CV_8UC3);
            System.Runtime.InteropServices.Marshal.Copy(v.FrameCopy(t), 0, rgb.Data, v.FrameBytes);
            using var bgr = new Mat();
            Cv2.CvtColor(rgb, bgr, ColorConversionCodes.RGB2BGR);
            Cv2.ImWrite(Path.Combine(dir, $"{t:D3}.png"), bgr);
        }
    }

    [Fact]
    public void Gate_PoolsEvalFiles_AndExitsByTheBar()
    {
        string truth = Path.Combine(_dir, "truth"), videos = Path.Combine(_dir, "videos"), json = Path.Combine(_dir, "eval.json");
        Directory.CreateDirectory(truth);
        for (var i = 0; i < 2; i++)
        {
            var clip = PhysicsTestClips.Make(Scenario.Uniform, (ulong)i, 32);
            clip.Save(Path.Combine(truth, $"clip{i}.json"));
            WritePngs(PhysicsTestClips.Render(clip), Path.Combine(videos, $"clip{i}"));
        }
        Assert.Equal(0, Run("eval", "physics", "--videos", videos, "--truth", truth, "--out", json, "--given-frames", "5"));
        Assert.Equal(0, Run("eval", "gate", json, json, "--max-m1c-ratio", "1e9"));                 // the ground truth itself: no failure, no size drift
        Assert.Equal(1, Run("eval", "gate", json, "--max-failure", "-1"));
        var junk = Path.Combine(_dir, "junk.json");
        File.WriteAllText(junk, "{\"rows\": []}");
        var e = Assert.Throws<InvalidDataException>(() => Run("eval", "gate", junk));
        Assert.Contains("junk.json: not an eval.json", e.Message);
    }

    [Fact]
    public void Physics_PngFramesOfGroundTruth_WritesJsonWithFloorRows()
    {
        string truth = Path.Combine(_dir, "truth"), videos = Path.Combine(_dir, "videos"), json = Path.Combine(_dir, "eval.json");
        Directory.CreateDirectory(truth);
        for (var i = 0; i < 2; i++)
        {
            var clip = PhysicsTestClips.Make(Scenario.Uniform, (ulong)i, 32);
            clip.Save(Path.Combine(truth, $"clip{i}.json"));
            WritePngs(PhysicsTestClips.Render(clip), Path.Combine(videos, $"clip{i}"));
        }
        PhysicsTestClips.Make(Scenario.Uniform, 9, 32).Save(Path.Combine(truth, "orphan.json"));
        Assert.Equal(0, Run("eval", "physics", "--videos", videos, "--truth", truth, "--out", json));
        var text = File.ReadAllText(json);
        Assert.Contains("\"method\": \"generated\"", text);
        Assert.Contains("\"method\": \"gt_floor\"", text);
        Assert.Contains("\"clip_id\": \"clip1\"", text);
    }

    [Fact]
    public void Physics_MissingFolder_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => Run("eval", "physics", "--videos", Path.Combine(_dir, "none"), "--truth", _dir));

    [Fact]
    public void Motion_Mp4AndFolder_DecodesAndScores()
    {
        var v = PhysicsTestClips.Render(PhysicsTestClips.Make(Scenario.Uniform, 1, 32));
        var mp4 = Path.Combine(_dir, "ball.mp4");
        using (var writer = new VideoWriter(mp4, FourCC.MP4V, 10, new OpenCvSharp.Size(v.Width, v.Height)))
        {
            Assert.True(writer.IsOpened());
            for (var t = 0; t < v.Count; t++)
            {
                using var rgb = new Mat(v.Height, v.Width, MatType.CV_8UC3);
                System.Runtime.InteropServices.Marshal.Copy(v.FrameCopy(t), 0, rgb.Data, v.FrameBytes);
                using var bgr = new Mat();
                Cv2.CvtColor(rgb, bgr, ColorConversionCodes.RGB2BGR);
                writer.Write(bgr);
            }
        }
        var decoded = FrameStackDecoder.Read(mp4);
        Assert.Equal(v.Count, decoded.Count);
        Assert.True(decoded.Frame(0)[0] > 200);     // white background, red channel first (RGB, not BGR)
        WritePngs(v, Path.Combine(_dir, "frames"));
        var json = Path.Combine(_dir, "motion.json");
        Assert.Equal(0, Run("eval", "motion", mp4, Path.Combine(_dir, "frames"), "--out", json));
        Assert.Contains("\"motion_smoothness\"", File.ReadAllText(json));
        Assert.Throws<InvalidDataException>(() => FrameStackDecoder.Read(Path.Combine(_dir, "motion.json")));
    }
}
