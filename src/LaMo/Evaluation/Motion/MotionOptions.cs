namespace LaMo.Evaluation.Motion;

/// <summary>Options of the VBench-style motion metrics; saved with every result.</summary>
public sealed record MotionOptions
{
    /// <summary>Frame rate of the videos; VBench scales the dynamic-degree threshold by <c>max(1, 8 / fps)</c>.
    /// Defaults to the world's 10 fps.</summary>
    public double Fps { get; init; } = 10;

    /// <summary>Dynamic degree: fraction of the largest flow magnitudes averaged per pair (VBench: top 5 %).</summary>
    public double TopFraction { get; init; } = 0.05;

    /// <summary>Dynamic degree: base threshold in pixels at 256 px (VBench: 6.0, scaled by min(H, W) / 256).</summary>
    public double BaseThreshold { get; init; } = 6.0;

    /// <summary>Farneback pyramid scale.</summary>
    public double PyramidScale { get; init; } = 0.5;

    /// <summary>Farneback pyramid levels.</summary>
    public int Levels { get; init; } = 3;

    /// <summary>Farneback averaging window, pixels.</summary>
    public int WindowSize { get; init; } = 15;

    /// <summary>Farneback iterations per level.</summary>
    public int Iterations { get; init; } = 3;

    /// <summary>Subject-consistency proxy: histogram bins per RGB channel (joint histogram of bins³ cells).</summary>
    public int HistogramBins { get; init; } = 4;

    /// <summary>Subject-consistency proxy: HOG-like grid cells per side. Defaults to 1 (one global orientation histogram:
    /// translation-invariant, so a subject that moves is still "consistent"; more cells also score layout).</summary>
    public int HogCells { get; init; } = 1;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field breaks its rule.</exception>
    public MotionOptions Validate()
    {
        if (Fps <= 0) throw new ArgumentException($"Fps ({Fps}) must be > 0", nameof(Fps));
        if (TopFraction is <= 0 or > 1) throw new ArgumentException($"TopFraction ({TopFraction}) must be in (0, 1]", nameof(TopFraction));
        if (BaseThreshold <= 0) throw new ArgumentException($"BaseThreshold ({BaseThreshold}) must be > 0", nameof(BaseThreshold));
        if (PyramidScale is <= 0 or >= 1) throw new ArgumentException($"PyramidScale ({PyramidScale}) must be in (0, 1)", nameof(PyramidScale));
        if (Levels < 1 || Iterations < 1 || WindowSize < 3) throw new ArgumentException("Levels and Iterations must be >= 1 and WindowSize >= 3", nameof(Levels));
        if (HistogramBins < 2 || HogCells < 1) throw new ArgumentException("HistogramBins must be >= 2 and HogCells >= 1", nameof(HistogramBins));
        return this;
    }
}
