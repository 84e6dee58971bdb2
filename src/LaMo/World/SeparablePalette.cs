namespace LaMo.World;

/// <summary>Keeps non-ball colours invisible to the benchmark's parser <c>w = clip(I_κ − max(other channels), 0, 1)</c>.</summary>
/// <remarks>A surface colour c leaves a ball of channel κ with exact coverage weights (w = a where the ball covers a
/// fraction a of a pixel, 0 elsewhere) iff <c>c_κ = max(other channels of c)</c>. So per clip, every background pixel is
/// projected onto that set for the clip's ball channels: with one ball channel κ, <c>c_κ := max(others)</c>; with two or
/// more, each ball channel := max(all). Grey satisfies every set, so v1 colours are unchanged.</remarks>
public static class SeparablePalette
{
    /// <summary>Projects (r, g, b) in place for the ball channels in <paramref name="ballChannels"/> (bit 0 = R, 1 = G, 2 = B).</summary>
    public static void Project(ref float r, ref float g, ref float b, int ballChannels)
    {
        switch (ballChannels)
        {
            case 0: return;
            case 1: r = Math.Max(g, b); return;
            case 2: g = Math.Max(r, b); return;
            case 4: b = Math.Max(r, g); return;
        }
        var m = Math.Max(r, Math.Max(g, b));
        if ((ballChannels & 1) != 0) r = m;
        if ((ballChannels & 2) != 0) g = m;
        if ((ballChannels & 4) != 0) b = m;
    }

    /// <summary>Projects every pixel of an [.., 3] RGB image in place (the same operations as <see cref="Project(ref float,
    /// ref float, ref float, int)"/> per pixel, with the channel switch outside the loop).</summary>
    public static void ProjectAll(Span<float> rgb, int ballChannels)
    {
        switch (ballChannels)
        {
            case 0: return;
            case 1: for (var p = 0; p + 2 < rgb.Length; p += 3) rgb[p] = Math.Max(rgb[p + 1], rgb[p + 2]); return;
            case 2: for (var p = 0; p + 2 < rgb.Length; p += 3) rgb[p + 1] = Math.Max(rgb[p], rgb[p + 2]); return;
            case 4: for (var p = 0; p + 2 < rgb.Length; p += 3) rgb[p + 2] = Math.Max(rgb[p], rgb[p + 1]); return;
        }
        for (var p = 0; p + 2 < rgb.Length; p += 3) Project(ref rgb[p], ref rgb[p + 1], ref rgb[p + 2], ballChannels);
    }

    /// <summary>The projected colour, rounded to bytes.</summary>
    public static Rgb Project(Rgb c, int ballChannels)
    {
        float r = c.R, g = c.G, b = c.B;
        Project(ref r, ref g, ref b, ballChannels);
        return new Rgb((byte)r, (byte)g, (byte)b);
    }

    /// <summary>Bit mask of the ball channels of a clip's objects.</summary>
    public static int BallChannels(IEnumerable<ObjectSpec> objects) =>
        objects.Aggregate(0, (mask, o) => mask | 1 << Palette.Channel(o.Colour));

    /// <summary>A random surface colour with channels in [lo, hi], projected for the ball channels.</summary>
    public static Rgb Sample(WorldRng rng, int ballChannels, double lo, double hi) =>
        Project(new Rgb((byte)rng.Uniform(lo, hi), (byte)rng.Uniform(lo, hi), (byte)rng.Uniform(lo, hi)), ballChannels);
}
