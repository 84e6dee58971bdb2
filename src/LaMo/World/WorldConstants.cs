namespace LaMo.World;

/// <summary>World conventions shared by every scenario (docs/physics-benchmark.md).</summary>
public static class WorldConstants
{
    /// <summary>World width and height in units; y points up.</summary>
    public const double Size = 10.0;

    /// <summary>Frame interval in seconds (10 fps).</summary>
    public const double FrameInterval = 0.1;

    /// <summary>Gravity in units/s^2 where present.</summary>
    public const double Gravity = 2.5;

    /// <summary>Left face of the fixed black wall (S4, S5); the wall fills [9, 10].</summary>
    public const double WallX = 9.0;

    /// <summary>Top surface of the floor (extended families); the floor fills [0, FloorY].</summary>
    public const double FloorY = 0.5;

    /// <summary>Supersampling factor per axis for area coverage.</summary>
    public const int Supersample = 4;

    /// <summary>Mass of a disc of radius r (uniform density in 2-D).</summary>
    public static double Mass(double radius) => radius * radius;

    /// <summary>Checks that a frame count has the 1 + 4k form the causal VAE needs.</summary>
    /// <exception cref="ArgumentException">Not 1 + 4k or below 5.</exception>
    public static void ValidateFrameCount(int frames)
    {
        if (frames < 5 || (frames - 1) % 4 != 0)
            throw new ArgumentException($"frames ({frames}) must be 1 + 4k and at least 5 (e.g. 17 or 33)", nameof(frames));
    }
}
