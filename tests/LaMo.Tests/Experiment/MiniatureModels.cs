using LaMo.Demo;

namespace LaMo.Tests.Experiment;

/// <summary>One miniature models folder per test process (DemoRecipe.Miniature, ~10 s), shared by the demo and study
/// tests; deleted at process exit.</summary>
public static class MiniatureModels
{
    private static readonly Lazy<(string Models, string Work)> Built = new(() =>
    {
        string root = Directory.CreateTempSubdirectory("lamo-mini-models-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, true); } catch (IOException) { } };
        string models = Path.Combine(root, "models"), work = Path.Combine(root, "work");
        DemoRecipe.Miniature.Run(models, work, TextWriter.Null);
        return (models, work);
    });

    /// <summary>The models folder (base/, ft-baseline-s0/, ft-lamo-s0/).</summary>
    public static string Folder => Built.Value.Models;

    /// <summary>The latent cache the recipe trained on.</summary>
    public static string Cache => Path.Combine(Built.Value.Work, "cache");
}
