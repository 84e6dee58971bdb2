using LaMo.Diffusion.Schedulers;
using System.Text.Json;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Plumbing shared by the two scheduler verifiers.</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
internal static class SchedulerGoldenHelpers
{
    /// <summary>ᾱ tables are float64 upstream: compare absolutely, with no relative slack.</summary>
    public const double TableAtol = 1e-12;

    public static SchedulerConfig ReadConfig(GoldenCase golden, string key) =>
        SchedulerConfig.Parse(golden.Scalars.GetProperty(key).GetRawText(), $"{golden.Name}.json scalars.{key}");

    /// <summary>Strict comparison (atol only) that reports a missing reference instead of throwing.</summary>
    public static VerifyResult Strict(GoldenCase golden, string output, Tensor actual, double atol = TableAtol) =>
        golden.Outputs.TryGetValue(output, out var reference)
            ? TensorComparison.Compare(golden.Name, output, actual, reference, atol, rtol: 0)
            : new VerifyResult(golden.Name, output, double.NaN, atol, false, "no such reference output");

    public static Tensor TimestepsTensor(IScheduler scheduler) =>
        tensor(scheduler.Timesteps.Select(t => (long)t).ToArray(), ScalarType.Int64);

    public static Tensor Input(GoldenCase golden, string name) =>
        golden.Inputs.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"{golden.Name}: missing input `{name}`");

    /// <summary>One failed result per reference output the verifier did not produce, so nothing passes by omission.</summary>
    public static IEnumerable<VerifyResult> Uncovered(GoldenCase golden, IEnumerable<VerifyResult> produced) =>
        golden.Outputs.Keys.Except(produced.Select(r => r.Output), StringComparer.Ordinal)
            .Where(k => !k.StartsWith("intermediate.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(k => new VerifyResult(golden.Name, k, double.NaN, 0, false, "reference output not reproduced by the verifier"));

    public static int Int(JsonElement e, string key) => e.GetProperty(key).GetInt32();

    public static bool Flag(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.True;
}
