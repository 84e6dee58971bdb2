using LaMo.Data;
using LaMo.Training;
using LaMo.Workflows;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

/// <summary>The default-device trap of <see cref="DefaultDeviceTrapTests"/> over whole workflow entry points: one
/// <c>lamo train</c> step (drift loss + joint predictor; LoRA on a loaded pipeline, full from scratch), one
/// <c>lamo prior train</c> step and an <c>encode</c> of two clips, each with a checkpoint or cache written. Every model is
/// built, loaded, trained and saved inside the trap, so a tensor made anywhere without naming its device lands on meta and
/// fails the run; the trapped run's metrics and written files must equal the free run's, byte for byte.</summary>
[Collection(nameof(SerialCollection))]   // the default device is process-wide; the runs seed the global generator
public sealed class DefaultDeviceTrapWorkflowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-trapwf-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    private static T Trapped<T>(Func<T> run)
    {
        set_default_device(META);
        try { return run(); }
        finally { set_default_device(CPU); }
    }

    // Losses, not the timing and bookkeeping columns that legitimately differ between runs.
    private static void SameMetrics(TrainingResult free, TrainingResult trapped)
    {
        Assert.Equal(free.FinalStep, trapped.FinalStep);
        Assert.Equal(free.History.Count, trapped.History.Count);
        Assert.NotEmpty(free.History);
        foreach (var ((step, f), (_, t)) in free.History.Zip(trapped.History))
            foreach (var (k, v) in f.Where(kv => kv.Key is not ("s_per_step" or "live_tensors")))
                Assert.True(v == t[k], $"step {step} {k}: {v:R} free, {t[k]:R} trapped");
    }

    // Every file under `relative` of both folders, equal byte for byte (at least one file compared).
    private void SameFiles(string freeRun, string trappedRun, string relative, string pattern = "*.safetensors")
    {
        var files = Directory.GetFiles(Path.Combine(freeRun, relative), pattern, SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            string rel = Path.GetRelativePath(freeRun, f);
            Assert.True(File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(trappedRun, rel))), $"{rel} differs");
        }
    }

    [Theory]
    [InlineData("lora")]
    [InlineData("full")]
    public void TrainStep_DriftAndPredictor(string mode)
    {
        // LoRA loads a tiny pipeline and trains on two clips it encoded; full builds the tiny transformer from the seed.
        string? init = mode == "lora" ? RelyKit.TinyPipeline(_dir, seed: 3) : null;
        string cache = init is null ? RelyKit.SyntheticCache(_dir, clips: 4) : EncodeWorld(init, "lora-cache");
        BackboneTrainingOptions Options(string run) => new()
        {
            Cache = cache, Out = P(run), Init = init, TransformerConfig = init is null ? RelyKit.Repo("configs/tiny/transformer/config.json") : null,
            Mode = mode, DriftLoss = true, Predictor = true, PredictorConfig = "tiny", Steps = 1, BatchSize = 2, TextDropout = 0.5,
            WarmupSteps = 1, PredictorWarmupSteps = 1, CheckpointEvery = 1, LogEvery = 1, Seed = 11,
        };
        var free = BackboneWorkflow.Run(Options("free"));
        var trapped = Trapped(() => BackboneWorkflow.Run(Options("trapped")));
        SameMetrics(free, trapped);
        SameFiles(P("free"), P("trapped"), "checkpoints");
        SameFiles(P("free"), P("trapped"), "predictor");
        SameFiles(P("free"), P("trapped"), mode == "lora" ? "lora" : "pipeline");
    }

    [Fact]
    public void PriorTrainStep()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        PredictorTrainingOptions Options(string run) => new()
        {
            Cache = cache, Out = P(run), PredictorConfig = "tiny", Steps = 1, BatchSize = 2, WarmupSteps = 1, CheckpointEvery = 1, LogEvery = 1, Seed = 4,
        };
        var free = PriorWorkflow.Run(Options("free"));
        var trapped = Trapped(() => PriorWorkflow.Run(Options("trapped")));
        SameMetrics(free, trapped);
        SameFiles(P("free"), P("trapped"), "checkpoints");
        SameFiles(P("free"), P("trapped"), "predictor");
    }

    private static readonly ClipReadOptions Read = new(9, Width: 32, Height: 32);

    // Two generated clips encoded (untrapped) with `pipe` into `name`.
    private string EncodeWorld(string pipe, string name)
    {
        if (!Directory.Exists(P("world")))
            RelyKit.Ok("world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--seed", "3", "--out", P("world"));
        Assert.Equal(2, EncodeWorkflow.Run(P("world"), pipe, P(name), Read).Encoded);
        return P(name);
    }

    [Fact]
    public void EncodeTwoClips()
    {
        string pipe = RelyKit.TinyPipeline(_dir, seed: 2);
        string free = EncodeWorld(pipe, "free");   // two clips encoded, asserted
        var trapped = Trapped(() => EncodeWorkflow.Run(P("world"), pipe, P("trapped"), Read));
        Assert.Equal(2, trapped.Encoded);
        SameFiles(free, P("trapped"), ".");
    }
}
