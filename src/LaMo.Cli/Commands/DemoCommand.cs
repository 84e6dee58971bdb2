using System.CommandLine;
using LaMo.Demo;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo demo</c>: the embedded default end to end on the shipped models; <c>--from-scratch</c> first
/// regenerates the world and retrains every shipped model with the recorded recipe.</summary>
public static class DemoCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var fromScratch = new Option<bool>("--from-scratch") { Description = "Regenerate the world and retrain every shipped model (recorded recipe)" };
        var models = new Option<string>("--models") { Description = "Models folder", DefaultValueFactory = _ => "models/demo" };
        var work = new Option<string?>("--work") { Description = "Scratch folder for --from-scratch (default: runs/demo-work)" };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/demo-<time>); a non-empty folder is refused without --overwrite" };
        var overwrite = WorkflowCommands.Overwrite("demo run");
        var miniature = new Option<bool>("--miniature") { Description = "Tiny recipe and showcase (for tests)" };
        var device = DeviceOption.Create();
        var cmd = new Command("demo", "Baseline vs LaMo on the embedded physics world: videos, metrics, plots") { fromScratch, models, work, output, miniature, overwrite, device };
        cmd.SetAction(p =>
        {
            DeviceOption.RequireCpu(p, device, "lamo demo");
            var o = p.InvocationConfiguration.Output;
            string modelsDir = p.GetValue(models) == "models/demo" ? Path.Combine(RepoPaths.Shipped, "models", "demo") : p.GetValue(models)!;
            string run = p.GetValue(output) ?? Path.Combine(RepoPaths.Root, "runs", $"demo-{DateTime.Now:yyyyMMdd-HHmmss}");
            LaMo.Experiment.StudyRunFolder.Claim(run, "demo", p.GetValue(overwrite));   // before --from-scratch spends its hours
            if (p.GetValue(fromScratch))
            {
                var recipe = p.GetValue(miniature) ? DemoRecipe.Miniature : new DemoRecipe();
                using var cts = new LaMo.Reliability.SignalStop(p.InvocationConfiguration.Error);
                recipe.Run(modelsDir, p.GetValue(work) ?? Path.Combine(RepoPaths.Root, "runs", "demo-work"), o, cts.Token);
            }
            var showcase = p.GetValue(miniature) ? DemoShowcase.Miniature : new DemoShowcase();
            string table = showcase.Run(modelsDir, run, o);
            o.WriteLine(table);
            o.WriteLine($"demo: run folder {run}");
            return 0;
        });
        return cmd;
    }
}
