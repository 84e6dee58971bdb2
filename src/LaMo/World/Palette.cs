namespace LaMo.World;

/// <summary>Named colours of the world. Balls are pure primaries and everything else is neutral, so a tracker
/// using channel dominance <c>clip(I_k - max(other channels), 0, 1)</c> sees only the balls.</summary>
public static class Palette
{
    /// <summary>Ball colour names, in the order A, B, C of the benchmark.</summary>
    public static IReadOnlyList<string> BallColours { get; } = ["red", "blue", "green"];

    /// <summary>Background names available to the extended families (the core always uses white).</summary>
    public static IReadOnlyList<string> Backgrounds { get; } = ["white", "light grey", "grey"];

    /// <summary>The wall colour (black).</summary>
    public static Rgb Wall { get; } = Rgb.Grey(0);

    /// <summary>The floor colour (dark neutral grey).</summary>
    public static Rgb Floor { get; } = Rgb.Grey(110);

    /// <summary>The pendulum string and pivot colour.</summary>
    public static Rgb String { get; } = Rgb.Grey(60);

    /// <summary>RGB of a named ball or background colour.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Rgb Of(string name) => name switch
    {
        "red" => new Rgb(255, 0, 0),
        "blue" => new Rgb(0, 0, 255),
        "green" => new Rgb(0, 255, 0),
        "white" => Rgb.Grey(255),
        "light grey" => Rgb.Grey(230),
        "grey" => Rgb.Grey(200),
        _ => throw new ArgumentException($"unknown colour '{name}'", nameof(name)),
    };

    /// <summary>Index of the dominant channel (0 = R, 1 = G, 2 = B) of a ball colour.</summary>
    public static int Channel(string ballColour) => ballColour switch
    {
        "red" => 0,
        "green" => 1,
        "blue" => 2,
        _ => throw new ArgumentException($"'{ballColour}' is not a ball colour", nameof(ballColour)),
    };
}
