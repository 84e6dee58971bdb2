using System.Security.Cryptography;
using LaMo.Cli;
using LaMo.Training;
using LaMo.Workflows;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>Same seed, same machine, same thread count: a LaMo fine-tune (LoRA + drift loss + joint predictor) logs
/// identical losses and guided sampling writes identical video bytes, three runs each (docs/numerics.md §3).</summary>
[Collection(nameof(SerialCollection))]
public sealed class DeterminismTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-determinism-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void DriftPredictorTraining_AndGuidedSampling_AreIdenticalOverThreeRuns()
    {
        RelyKit.EncodedWorld(_dir, worldSeed: 11);

        var runs = Enumerable.Range(0, 3).Select(i => BackboneWorkflow.Run(new BackboneTrainingOptions
        {
            Cache = P("cache"), Out = P($"run{i}"), Init = P("base"), Mode = "lora", DriftLoss = true, Predictor = true,
            PredictorConfig = "tiny", Steps = 3, BatchSize = 2, WarmupSteps = 1, PredictorWarmupSteps = 1, LogEvery = 1,
        })).ToList();
        foreach (var run in runs.Skip(1))
            foreach (var (step, metrics) in run.History)
            {
                var first = runs[0].History.Single(h => h.Step == step).Metrics;
                foreach (var key in new[] { "loss", "denoise", "drift", "prior" })
                    Assert.True(first[key] == metrics[key], $"step {step} {key}: {first[key]} vs {metrics[key]}");
            }

        var hashes = Enumerable.Range(0, 3).Select(i =>
        {
            Assert.Equal(0, CliApp.Run(["sample", "--pipeline", P("base"), "--lora", P("run0/lora/pytorch_lora_weights.safetensors"),
                "--predictor", P("run0/predictor"), "--guidance", "--rho", "1.0", "--prompt", "a red ball moves", "--steps", "3",
                "--frames", "9", "--size", "32", "--seed", "4", "--out", P($"samples{i}")], new StringWriter(), new StringWriter()));
            return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(P($"samples{i}/p000_s4.mp4"))));
        }).ToList();
        Assert.All(hashes, h => Assert.Equal(hashes[0], h));
    }
}
