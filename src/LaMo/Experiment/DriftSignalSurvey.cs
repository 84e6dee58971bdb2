using System.Diagnostics;
using LaMo.Evaluation;
using LaMo.Evaluation.Physics;
using LaMo.Models.CogVideoXVae;
using LaMo.Video;
using LaMo.World;
using static TorchSharp.torch;

namespace LaMo.Experiment;

/// <summary>How a drift-signal survey draws and encodes its clips.</summary>
/// <param name="Size">Frame width and height in pixels.</param>
/// <param name="Clips">Clips per condition, spread round-robin over the scenarios.</param>
/// <param name="Samples">Posterior samples per clip (K) for the noise on μ.</param>
/// <param name="Tau">Lag in latent frames (LaMo: 2).</param>
/// <param name="Seed">World base seed; sample noise is derived from it too.</param>
/// <param name="Split">Standard split whose parameter ranges the clips draw from (held out from training by default).</param>
/// <param name="Frames">RGB frames per clip (1 + 4k).</param>
public sealed record DriftSignalSurveyOptions(int Size = 32, int Clips = 16, int Samples = 8, int Tau = 2, ulong Seed = 7,
    string Split = "test-id", int Frames = 17)
{
    /// <summary>Checks ranges; names the bad field.</summary>
    public DriftSignalSurveyOptions Validate()
    {
        if (Size < 8) throw new ArgumentException($"size ({Size}) must be >= 8", nameof(Size));
        if (Clips < 1) throw new ArgumentException($"clips ({Clips}) must be >= 1", nameof(Clips));
        if (Samples < 0) throw new ArgumentException($"samples ({Samples}) must be >= 0", nameof(Samples));
        if (Tau < 1) throw new ArgumentException($"tau ({Tau}) must be >= 1", nameof(Tau));
        if (Frames < 5 || (Frames - 1) % 4 != 0) throw new ArgumentException($"frames ({Frames}) must be 1 + 4k, >= 5", nameof(Frames));
        return this;
    }
}

/// <summary>One condition's row: the drift signal in latent space and the reconstruction floor.</summary>
/// <param name="Condition">Condition label (background/camera/lighting, or the preset).</param>
/// <param name="Size">Frame size in pixels.</param>
/// <param name="Clips">Clips measured.</param>
/// <param name="Signal">Drift-signal sums and their ratios.</param>
/// <param name="VaeFloorM1c">Mean M1c (units/s) of the clips' VAE reconstructions (posterior mean), over clips with an M1c.</param>
/// <param name="GroundTruthM1c">Mean M1c of the lossless ground truth on the same clips (the parser's own floor).</param>
/// <param name="M1cClips">Clips with an M1c in the VAE floor.</param>
/// <param name="VaeFailureRate">Fraction of reconstructions the parser marks failed (ball lost).</param>
/// <param name="VaeSpuriousRate">Mean spurious blobs per judged frame in the reconstructions.</param>
/// <param name="Seconds">Wall time of the row.</param>
public sealed record DriftSignalRow(string Condition, int Size, int Clips, DriftSignal Signal, double? VaeFloorM1c,
    double? GroundTruthM1c, int M1cClips, double VaeFailureRate, double VaeSpuriousRate, double Seconds);

/// <summary>Measures, per world condition, how much bulk motion the drift loss would see through a VAE, how noisy the
/// VAE's posterior makes it, and what the VAE's reconstruction costs the physics benchmark (issue 17 items 8-9).</summary>
public static class DriftSignalSurvey
{
    // Posterior samples draw from their own stream of the clip seed, so adding samples never changes the clips.
    private const ulong PosteriorNoiseKey = 0xD21F7;

    /// <summary>One row per condition.</summary>
    public static IReadOnlyList<DriftSignalRow> Run(AutoencoderKLCogVideoX vae, IReadOnlyList<DriftSignalCondition> conditions,
        DriftSignalSurveyOptions options, Action<DriftSignalRow>? onRow = null)
    {
        options.Validate();
        var rows = new List<DriftSignalRow>();
        foreach (var c in conditions)
        {
            var row = Measure(vae, c, options);
            onRow?.Invoke(row);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The row of one condition.</summary>
    public static DriftSignalRow Measure(AutoencoderKLCogVideoX vae, DriftSignalCondition condition, DriftSignalSurveyOptions options)
    {
        options.Validate();
        var watch = Stopwatch.StartNew();
        var scenarios = Enum.GetValues<Scenario>();
        var ranges = SplitRanges.Standard(options.Split);
        var signal = new DriftSignal();
        List<double> vaeM1c = [], gtM1c = [];
        double failures = 0, spurious = 0;
        for (var i = 0; i < options.Clips; i++)
        {
            var scenario = scenarios[i % scenarios.Length];
            var seed = WorldGenerator.ClipSeed(options.Seed, ranges.Name, scenario, i / scenarios.Length);
            var clip = WorldGenerator.Generate(new ClipSpec(scenario, ranges, seed, options.Size, options.Size, options.Frames, condition.Options));
            var gt = ReferenceVideos.GroundTruth(clip);
            var (clipSignal, reconstruction) = EncodeClip(vae, gt, options, WorldRng.Derive(seed, PosteriorNoiseKey));
            signal = signal.Add(clipSignal);
            var physics = new PhysicsOptions();
            var rec = ClipEvaluator.Evaluate($"vae-{i}", clip, ReferenceVideos.VaeReconstruction(clip, _ => reconstruction), physics);
            var floor = ClipEvaluator.Evaluate($"gt-{i}", clip, gt, physics);
            if (rec.M1cFittedVelocityError is { } m) vaeM1c.Add(m);
            if (floor.M1cFittedVelocityError is { } g) gtM1c.Add(g);
            failures += rec.Failure ? 1 : 0;
            spurious += rec.M6SpuriousRate ?? 0;
        }
        return new DriftSignalRow(condition.Label, options.Size, options.Clips, signal,
            vaeM1c.Count > 0 ? vaeM1c.Average() : null, gtM1c.Count > 0 ? gtM1c.Average() : null, vaeM1c.Count,
            failures / options.Clips, spurious / options.Clips, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Encodes one clip: the drift signal of its posterior mean and <see cref="DriftSignalSurveyOptions.Samples"/>
    /// posterior samples (scaled latents, [1, T, C, h, w]), and the reconstruction from the posterior mean.</summary>
    public static (DriftSignal Signal, FrameStack Reconstruction) EncodeClip(AutoencoderKLCogVideoX vae, FrameStack video,
        DriftSignalSurveyOptions options, ulong noiseSeed)
    {
        const double fps = 1 / WorldConstants.FrameInterval;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = VideoTensor.FromFrames(FrameConversions.ToVideo(video, fps)).permute(1, 0, 2, 3).unsqueeze(0);   // [1, 3, F, H, W]
        using var dist = vae.Encode(x);
        // The backbone (and so the drift loss) sees scaled latents frames-first: [1, T, C, h, w].
        Tensor Frames(Tensor latents) => vae.ScaleLatents(latents).permute(0, 2, 1, 3, 4);
        var mean = Frames(dist.Mean);
        using var generator = new Generator(noiseSeed);
        var samples = Enumerable.Range(0, options.Samples).Select(_ => Frames(dist.Sample(generator))).ToArray();
        var signal = DriftSignal.Measure(mean, samples, options.Tau);
        var decoded = vae.Decode(dist.Mean);                                                               // [1, 3, F, H, W]
        var frames = VideoTensor.ToFrames(decoded[0].permute(1, 0, 2, 3), fps);
        return (signal, FrameConversions.ToEvaluation(frames));
    }
}
