namespace LaMo.World;

/// <summary>Caption words for world v2: the backdrop, and clauses saying what the camera, the light and the frame edge
/// do. Each clause is read off the clip's ground truth (pan direction from the pose path, light from the gains), so
/// it stays true. Camera direction words name where the camera turns: a camera panning right makes the scene slide left.</summary>
internal static class ConditionCaption
{
    public static string Background(WorldCondition c, WorldRng rng) => c.Background switch
    {
        "gradient" => rng.Pick(["under a sky that fades toward the horizon", "against a sky and ground backdrop"]),
        "texture" => rng.Pick(["in front of a mottled backdrop", "against a softly textured wall"]),
        "pattern" => rng.Pick(["in front of a brick wall", "against a tiled brick wall"]),
        "parallax" => rng.Pick(["in front of rolling hills", "with hills in the distance"]),
        "images" => rng.Pick(["in front of a photographed backdrop", "against a photo backdrop"]),
        _ => "on a plain background",
    };

    /// <summary>", while the camera pans slowly to the left and the light dims", or "" when nothing changes.</summary>
    public static string Clauses(WorldClip clip, WorldRng rng)
    {
        var c = clip.Condition!;
        var parts = new List<string>();
        if (Camera(clip, c, rng) is { } cam) parts.Add(cam);
        if (Light(c, rng) is { } light) parts.Add(light);
        if (Edge(clip, c) is { } edge) parts.Add(edge);
        if (parts.Count == 0) return "";
        return ", " + rng.Pick(["while", "as"]) + " " + string.Join(" and ", parts);
    }

    private static string? Camera(WorldClip clip, WorldCondition c, WorldRng rng)
    {
        var p = c.Parameters;
        switch (c.Camera)
        {
            case "pan":
                var speed = p["pan_speed"];
                return $"the camera pans {(Math.Abs(speed) < 0.7 ? "slowly " : "")}to the {(speed > 0 ? "right" : "left")}";
            case "accel-pan":
                return $"the camera pans to the {(p["pan_accel"] > 0 ? "right" : "left")}, faster and faster";
            case "zoom":
                return p["zoom_end"] > p["zoom_start"] ? rng.Pick(["the camera slowly zooms in", "the view slowly closes in"])
                    : rng.Pick(["the camera slowly zooms out", "the view slowly widens"]);
            case "track":
                return $"the camera follows the {clip.Objects[(int)p["track_object"]].Colour} ball";
            case "shake":
                return rng.Pick(["the handheld camera shakes slightly", "the camera jitters a little in the hand"]);
            default:
                return null;
        }
    }

    private static string? Light(WorldCondition c, WorldRng rng) => c.Lighting switch
    {
        "dimming" => rng.Pick(["the light slowly dims", "the lamp slowly dims"]),
        "brightening" => rng.Pick(["the light slowly grows brighter", "the scene slowly brightens"]),
        "cloud" => rng.Pick(["a passing cloud briefly darkens the scene", "the light dips for a moment as a cloud passes"]),
        "warm" => rng.Pick(["the light slowly turns warmer", "the light takes on a warmer tone"]),
        _ => null,
    };

    // Which edge ball A crosses: the axis and direction EdgeCrossing recorded.
    private static string? Edge(WorldClip clip, WorldCondition c)
    {
        if (c.Entering == "none") return null;
        var forward = c.Parameters["entering_direction"] > 0;
        var side = c.Parameters["entering_axis"] == 0 ? (forward ? ("left", "right") : ("right", "left"))
            : (forward ? ("bottom", "top") : ("top", "bottom"));
        var ball = $"the {clip.Objects[0].Colour} ball";
        return c.Entering == "enter" ? $"{ball} enters the frame from the {side.Item1}" : $"{ball} leaves the frame on the {side.Item2}";
    }
}
