namespace LaMo.World;

/// <summary>Draws one clip's world v2 condition (kinds, parameters, palette) from its own random stream, so the
/// physics of a seed never depends on the condition.</summary>
internal static class ConditionSampler
{
    // Mixed preset: roughly how often each value appears in real footage of small scenes (static shots dominate).
    private static readonly (string Name, double Weight)[] MixedBackgrounds =
        [("uniform", 0.15), ("gradient", 0.2), ("texture", 0.2), ("pattern", 0.15), ("parallax", 0.2), ("images", 0.1)];
    private static readonly (string Name, double Weight)[] MixedCameras =
        [("static", 0.3), ("pan", 0.2), ("accel-pan", 0.1), ("zoom", 0.15), ("track", 0.1), ("shake", 0.15)];
    private static readonly (string Name, double Weight)[] MixedLightings =
        [("constant", 0.5), ("dimming", 0.15), ("brightening", 0.1), ("cloud", 0.15), ("warm", 0.1)];
    private const double MixedEnteringChance = 0.25;

    /// <summary>The kinds for one clip: split combination first, then pinned options, then the preset.</summary>
    public static (string Background, string Camera, string Lighting, string Entering) Kinds(
        WorldConditionOptions o, SplitRanges ranges, WorldRng rng)
    {
        var combo = ranges.Conditions is { } list ? list[rng.NextInt(list.Count)] : null;
        var mixed = o.Preset == "mixed";
        var backgrounds = o.BackgroundDir is null ? MixedBackgrounds.Where(b => b.Name != "images").ToArray() : MixedBackgrounds;
        // Every draw happens whether or not it is used, so pinning one dimension leaves the others' draws unchanged.
        string bg = Draw(backgrounds, rng), cam = Draw(MixedCameras, rng), light = Draw(MixedLightings, rng);
        bool enters = rng.Chance(MixedEnteringChance), enter = rng.Chance(0.5);
        return (
            combo?.Background ?? o.Background ?? (mixed ? bg : "uniform"),
            combo?.Camera ?? o.Camera ?? (mixed ? cam : "static"),
            combo?.Lighting ?? o.Lighting ?? (mixed ? light : "constant"),
            (o.Entering ?? (mixed && enters)) ? (enter ? "enter" : "leave") : "none");
    }

    /// <summary>Parameters and palette of the kinds.</summary>
    public static WorldCondition Sample(string background, string camera, string lighting, string entering,
        WorldConditionOptions o, int ballChannels, double duration, WorldRng rng)
    {
        var p = new SortedDictionary<string, double>();
        var palette = new List<Rgb>();
        string? image = null;
        Rgb Colour(double lo, double hi) => SeparablePalette.Sample(rng, ballChannels, lo, hi);
        switch (background)
        {
            case "gradient":
                p["horizon_y"] = rng.Uniform(2, 5);
                palette.AddRange([Colour(150, 230), Colour(200, 250), Colour(90, 170), Colour(120, 200)]);
                break;
            case "texture":
                p["noise_seed"] = Seed53(rng);
                p["noise_cell"] = rng.Uniform(1.5, 4);
                palette.AddRange([Colour(110, 200), Colour(150, 230), Colour(190, 250)]);
                break;
            case "pattern":
                p["noise_seed"] = Seed53(rng);
                p["brick_width"] = rng.Uniform(1.0, 2.0);
                p["brick_height"] = rng.Uniform(0.5, 0.9);
                palette.AddRange([Colour(130, 210), Colour(200, 240)]);
                break;
            case "parallax":
                p["noise_seed"] = Seed53(rng);
                p["far_depth"] = rng.Uniform(3, 6);
                p["near_depth"] = rng.Uniform(1.5, 2.5);
                palette.AddRange([Colour(170, 240), Colour(210, 250), Colour(120, 190), Colour(90, 160)]);
                break;
            case "images":
                var files = Backgrounds.ImageBackground.List(o.BackgroundDir!);
                image = files[rng.NextInt(files.Count)];
                break;
        }
        var sign = rng.Chance(0.5) ? 1.0 : -1.0;
        switch (camera)
        {
            case "pan": p["pan_speed"] = sign * rng.Uniform(0.4, 1.2); break;
            case "accel-pan": p["pan_speed"] = sign * rng.Uniform(0, 0.3); p["pan_accel"] = sign * rng.Uniform(0.6, 1.5); break;
            case "zoom":
                var z = rng.Uniform(1.15, 1.35);
                (p["zoom_start"], p["zoom_end"]) = sign > 0 ? (1.0, z) : (z, 1.0);
                break;
            case "track": p["track_object"] = 0; break;
            case "shake":
                p["shake_amplitude"] = rng.Uniform(0.06, 0.15);
                for (var i = 0; i < 2; i++)
                {
                    p[$"shake_freq_{i}"] = rng.Uniform(1, 3.5);
                    p[$"shake_phase_x_{i}"] = rng.Uniform(0, 2 * Math.PI);
                    p[$"shake_phase_y_{i}"] = rng.Uniform(0, 2 * Math.PI);
                }
                break;
        }
        switch (lighting)
        {
            case "dimming" or "brightening": p["light_depth"] = rng.Uniform(0.15, 0.3); break;
            case "cloud":
                p["light_depth"] = rng.Uniform(0.15, 0.3);
                p["cloud_time"] = rng.Uniform(0.3, 0.7) * duration;
                p["cloud_width"] = rng.Uniform(0.5, 0.8);   // slow enough that no frame step exceeds ~5 % (no flicker)
                break;
            case "warm": p["warmth"] = rng.Uniform(0.1, 0.2); break;
        }
        return new WorldCondition(background, camera, lighting, entering, p, palette, image, image is null ? null : o.BackgroundDir);
    }

    private static string Draw((string Name, double Weight)[] table, WorldRng rng)
    {
        var u = rng.NextDouble() * table.Sum(t => t.Weight);
        foreach (var (name, w) in table)
        {
            if (u < w) return name;
            u -= w;
        }
        return table[^1].Name;
    }

    private static double Seed53(WorldRng rng) => rng.NextUInt64() >> 11;
}
