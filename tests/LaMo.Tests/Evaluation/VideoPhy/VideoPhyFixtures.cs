using LaMo.Evaluation.VideoPhy;

namespace LaMo.Tests.Evaluation.VideoPhy;

/// <summary>Paths of the copied benchmark rows and a scratch folder.</summary>
internal static class VideoPhyFixtures
{
    public static string VideoPhyCsv => Path.Combine(AppContext.BaseDirectory, "Fixtures", "videophy", "videophy_expanded_6rows.csv");
    public static string VideoPhy2Csv => Path.Combine(AppContext.BaseDirectory, "Fixtures", "videophy", "videophy2_3rows.csv");

    public static string NewDir() => Path.Combine(Path.GetTempPath(), "lamo-videophy-" + Guid.NewGuid().ToString("N"));

    public static void Delete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>The judge path of prompt <paramref name="i"/>'s video under a fixed root.</summary>
    public static string JudgePath(VideoPhyPromptSet set, int i) => "/judge/videos/" + VideoPhyLayout.VideoFileName(set.Prompts[i]);
}
