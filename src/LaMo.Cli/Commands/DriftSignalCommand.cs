using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LaMo.Experiment;
using LaMo.Models.CogVideoXVae;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo world drift-signal</c>: per world condition, the drift signal a VAE's latents carry and the VAE's
/// reconstruction floor (docs/results/world-v2-drift-signal.md).</summary>
public static class DriftSignalCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // an SNR is +∞ when the posterior has no noise on μ
    };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var vae = new Option<string>("--vae") { Description = "Trained VAE folder (OUT/vae of lamo vae train)", Required = true };
        var size = new Option<int>("--size") { Description = "Frame width and height in pixels (the VAE is convolutional)", DefaultValueFactory = _ => 32 };
        var clips = new Option<int>("--clips") { Description = "Clips per condition (round-robin over the scenarios)", DefaultValueFactory = _ => 16 };
        var samples = new Option<int>("--samples") { Description = "Posterior samples per clip for the noise on μ", DefaultValueFactory = _ => 8 };
        var tau = new Option<int>("--tau") { Description = "Lag in latent frames", DefaultValueFactory = _ => 2 };
        var seed = new Option<ulong>("--seed") { Description = "World seed of the measured clips", DefaultValueFactory = _ => 7UL };
        var split = new Option<string>("--split") { Description = "Standard split the clips draw their parameters from", DefaultValueFactory = _ => "test-id" };
        var conditions = new Option<string?>("--conditions") { Description = "Comma list of condition labels (default: all standard conditions)" };
        var outFile = new Option<string>("--out") { Description = "JSON file for the rows", Required = true };
        var cmd = new Command("drift-signal", "Per world condition: bulk motion ‖μ*‖² vs per-location motion and vs the VAE posterior's noise, and the VAE's reconstruction floor (M1c)")
            { vae, size, clips, samples, tau, seed, split, conditions, outFile };
        cmd.SetAction(parse =>
        {
            var options = new DriftSignalSurveyOptions(parse.GetValue(size), parse.GetValue(clips), parse.GetValue(samples), parse.GetValue(tau),
                parse.GetValue(seed), parse.GetValue(split)!).Validate();
            var selected = DriftSignalConditions(parse.GetValue(conditions));
            var output = parse.InvocationConfiguration.Output;
            using var model = AutoencoderKLCogVideoX.FromPretrained(parse.GetValue(vae)!);
            model.eval();
            var watch = Stopwatch.StartNew();
            var rows = DriftSignalSurvey.Run(model, selected, options, r =>
                output.WriteLine($"{r.Condition} {r.Size}px: ratio {r.Signal.Ratio:P2}, SNR {r.Signal.PosteriorSnr:G3}, VAE M1c {r.VaeFloorM1c:0.0000} ({r.Seconds:0.0} s)"));
            var path = parse.GetValue(outFile)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(new { options, seconds = watch.Elapsed.TotalSeconds, rows }, Json));
            output.WriteLine();
            output.Write(DriftSignalTable.Signal(rows));
            output.WriteLine();
            output.Write(DriftSignalTable.Floor(rows));
            output.WriteLine($"wrote {path} ({rows.Count} conditions in {watch.Elapsed.TotalSeconds:0.0} s)");
            return 0;
        });
        return cmd;
    }

    private static IReadOnlyList<DriftSignalCondition> DriftSignalConditions(string? list) =>
        Experiment.DriftSignalCondition.Select(list?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
