namespace LaMo.Evaluation.Physics;

/// <summary>Options of the physics benchmark; saved with every result in <c>eval.json</c>.</summary>
public sealed record PhysicsOptions
{
    /// <summary>Frames given to the model (continuation mode); only later frames are judged. 0 = text-to-video mode
    /// (every frame judged). Defaults to 5 (fixes the first 2 latent frames of the 4x causal VAE).</summary>
    public int GivenFrames { get; init; } = 5;

    /// <summary>Detection rule: detected iff <c>A ≥ DetectionFraction·π·(r/s)²</c>.</summary>
    public double DetectionFraction { get; init; } = 0.25;

    /// <summary>Weight threshold turning w(p) into a binary object mask (M6 blobs, M8 IoUs).</summary>
    public double MaskThreshold { get; init; } = 0.5;

    /// <summary>M9: a ball that moved less than this many pixels between frames counts as frozen.</summary>
    public double FrozenPixels { get; init; } = 0.5;

    /// <summary>M6: a spurious blob must be at least <c>DetectionFraction·π·(SpuriousMinRadius/s)²</c> pixels
    /// (the smallest radius any split uses, 0.4 units).</summary>
    public double SpuriousMinRadius { get; init; } = 0.4;

    /// <summary>Object present only with a plausible blob (<see cref="BlobRule"/>): its weight at most this multiple of
    /// the true disc's area.</summary>
    public double BlobMaxAreaFactor { get; init; } = 4;

    /// <summary>Object present only when its blob holds at least this fraction of the colour's weight in the frame
    /// (speckle and haze spread theirs everywhere).</summary>
    public double BlobMinConcentration { get; init; } = 0.5;

    /// <summary>Object present only when the blob's core fills at least this fraction of the disc spanning it
    /// (streaks are not balls).</summary>
    public double BlobMinRoundness { get; init; } = 0.4;

    /// <summary>The blob rule for an object whose true disc covers <paramref name="expectedArea"/> pixels.</summary>
    public BlobRule Blob(double expectedArea) => new(expectedArea, MaskThreshold, BlobMaxAreaFactor, BlobMinConcentration, BlobMinRoundness);

    /// <summary>Paired bootstrap resamples.</summary>
    public int BootstrapResamples { get; init; } = 1000;

    /// <summary>Paired bootstrap seed.</summary>
    public int BootstrapSeed { get; init; } = 1234;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field breaks its rule.</exception>
    public PhysicsOptions Validate()
    {
        if (GivenFrames < 0) throw new ArgumentException($"GivenFrames ({GivenFrames}) must be >= 0", nameof(GivenFrames));
        if (DetectionFraction is <= 0 or > 1) throw new ArgumentException($"DetectionFraction ({DetectionFraction}) must be in (0, 1]", nameof(DetectionFraction));
        if (MaskThreshold is <= 0 or > 1) throw new ArgumentException($"MaskThreshold ({MaskThreshold}) must be in (0, 1]", nameof(MaskThreshold));
        if (FrozenPixels < 0) throw new ArgumentException($"FrozenPixels ({FrozenPixels}) must be >= 0", nameof(FrozenPixels));
        if (SpuriousMinRadius <= 0) throw new ArgumentException($"SpuriousMinRadius ({SpuriousMinRadius}) must be > 0", nameof(SpuriousMinRadius));
        if (!(BlobMaxAreaFactor >= 1) || double.IsInfinity(BlobMaxAreaFactor)) throw new ArgumentException($"BlobMaxAreaFactor ({BlobMaxAreaFactor}) must be finite and >= 1", nameof(BlobMaxAreaFactor));
        if (BlobMinConcentration is < 0 or > 1 || double.IsNaN(BlobMinConcentration)) throw new ArgumentException($"BlobMinConcentration ({BlobMinConcentration}) must be in [0, 1]", nameof(BlobMinConcentration));
        if (BlobMinRoundness is < 0 or > 1 || double.IsNaN(BlobMinRoundness)) throw new ArgumentException($"BlobMinRoundness ({BlobMinRoundness}) must be in [0, 1]", nameof(BlobMinRoundness));
        if (BootstrapResamples < 10) throw new ArgumentException($"BootstrapResamples ({BootstrapResamples}) must be >= 10", nameof(BootstrapResamples));
        return this;
    }
}
