using System.Text.Json.Nodes;
using LaMo.Demo;
using LaMo.Tests.Experiment;
using Xunit;

namespace LaMo.Tests.Demo;

/// <summary>The demo showcase end to end on miniature models: run folder contents, headline table and the
/// HTML page in a headless browser.</summary>
[Collection("Torch")]
public sealed class DemoShowcaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-demo-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Run_MiniatureModels_WritesRunFolderTableAndPage()
    {
        string run = Path.Combine(_dir, "run");
        var log = new StringWriter();
        string table = DemoShowcase.Miniature.Run(MiniatureModels.Folder, run, log);

        foreach (var row in new[] { "| baseline |", "| lamo |", "| gt_floor |", "| vae_floor |", "| copy_last |", "| const_velocity |" })
            Assert.Contains(row, table);
        foreach (var col in new[] { "failure rate", "M1c", "M2", "M3", "M7", "M9", "smoothness" }) Assert.Contains(col, table);
        foreach (var f in new[] { "eval.json", "table.md", "report.md", "index.html", "results.json", "plots/m1c_by_scenario.png", "plots/m2_by_scenario.png" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing");
        PortablePaths.AssertNoAbsolutePath(Path.Combine(run, "results.json"), Path.TrimEndingDirectorySeparator(Path.GetTempPath()));
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "results.json")))!;
        var clips = results["units"]!.AsArray().Select(u => (string)u!["clip"]!).Distinct().ToArray();
        Assert.Equal(8, clips.Length);                                                   // 1 per core scenario + 1 per extended family
        foreach (var c in clips)
        {
            Assert.True(new FileInfo(Path.Combine(run, "videos", c + ".mp4")).Length > 0, $"{c}.mp4");
            Assert.True(new FileInfo(Path.Combine(run, "videos", c + ".gif")).Length > 0, $"{c}.gif");
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "heatmaps"), "*_lamo_field.png"));
        foreach (var png in Directory.GetFiles(Path.Combine(run, "heatmaps"), "*.png"))   // figures (title, axes, colour bar), not bare overlays
            using (var bmp = SkiaSharp.SKBitmap.Decode(png))
                Assert.True(bmp.Width > DemoShowcase.Miniature.Size * LaMo.Experiment.StudyHeatmaps.Scale + 100, $"{Path.GetFileName(png)} is {bmp.Width} px wide: a bare overlay");
        Assert.Contains("stage", File.ReadAllText(Path.Combine(run, "report.md")));      // per-stage timings
        Assert.Contains("demo: stage sample", log.ToString());

        BrowserCheck.AssertPage(Path.Combine(run, "index.html"), "title", "gallery", "heatmaps");
    }
}
