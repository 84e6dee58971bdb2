using System.Text.Json;
using System.Text.Json.Serialization;

namespace LaMo.World;

/// <summary>Parameter ranges of one data split: radius and speed as unions of intervals, optionally a
/// per-colour speed range (pairing colours with speeds). The split name also keys the seed stream, so
/// <c>train</c> and <c>test-id</c> draw fresh samples from the same ranges.</summary>
/// <remarks>What "speed" means per scenario: S1/S4 the velocity, S2/S5 each ball's speed, S3 the launch speed,
/// drop_bounce the impact speed sqrt(2 g h), friction_slide the initial speed. The pendulum ignores speed ranges
/// (its amplitude range is fixed) and varies only the radius. World v2: <c>conditions</c>, when given, lists the
/// background/camera/lighting combinations the split may draw (each clip picks one), so a split can hold out a
/// combination, e.g. train on pan+texture and static+gradient, test on pan+gradient.</remarks>
public sealed record SplitRanges(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("radius")] IReadOnlyList<Interval> Radius,
    [property: JsonPropertyName("speed")] IReadOnlyList<Interval> Speed,
    [property: JsonPropertyName("colour_speed")] IReadOnlyDictionary<string, IReadOnlyList<Interval>>? ColourSpeed = null,
    [property: JsonPropertyName("conditions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ConditionCombo>? Conditions = null)
{
    /// <summary>In-distribution radius range [0.7, 1.4].</summary>
    public static IReadOnlyList<Interval> IdRadius { get; } = [new(0.7, 1.4)];

    /// <summary>In-distribution speed range [1, 4].</summary>
    public static IReadOnlyList<Interval> IdSpeed { get; } = [new(1, 4)];

    /// <summary>Out-of-distribution radius: [0.4, 0.6] or [1.6, 2.0].</summary>
    public static IReadOnlyList<Interval> OodRadius { get; } = [new(0.4, 0.6), new(1.6, 2.0)];

    /// <summary>Out-of-distribution speed: [0.2, 0.8] or [4.5, 6.0].</summary>
    public static IReadOnlyList<Interval> OodSpeed { get; } = [new(0.2, 0.8), new(4.5, 6.0)];

    /// <summary>The names of the benchmark splits.</summary>
    public static IReadOnlyList<string> StandardNames { get; } = ["train", "test-id", "test-ood-v", "test-ood-r", "test-ood-rv"];

    /// <summary>The ranges of a benchmark split by name.</summary>
    /// <exception cref="ArgumentException">Unknown split name.</exception>
    public static SplitRanges Standard(string name) => name switch
    {
        "train" => new(name, IdRadius, IdSpeed),
        "test-id" => new(name, IdRadius, IdSpeed),
        "test-ood-v" => new(name, IdRadius, OodSpeed),
        "test-ood-r" => new(name, OodRadius, IdSpeed),
        "test-ood-rv" => new(name, OodRadius, OodSpeed),
        _ => throw new ArgumentException(
            $"unknown split '{name}'; expected one of {string.Join(", ", StandardNames)} or a ranges JSON file", nameof(name)),
    };

    /// <summary>The speed ranges for a ball of the given colour.</summary>
    public IReadOnlyList<Interval> SpeedFor(string colour) =>
        ColourSpeed is not null && ColourSpeed.TryGetValue(colour, out var r) ? r : Speed;

    /// <summary>Checks names and intervals.</summary>
    /// <exception cref="ArgumentException">Empty name, empty union or a bad interval.</exception>
    public SplitRanges Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("split name must not be empty", nameof(Name));
        Check(Radius, "radius", positive: true);
        Check(Speed, "speed", positive: false);
        if (ColourSpeed is not null)
            foreach (var (colour, parts) in ColourSpeed)
            {
                if (!Palette.BallColours.Contains(colour))
                    throw new ArgumentException($"colour_speed key '{colour}' is not a ball colour ({string.Join(", ", Palette.BallColours)})");
                Check(parts, $"colour_speed.{colour}", positive: false);
            }
        if (Conditions is not null)
        {
            if (Conditions.Count == 0) throw new ArgumentException("conditions, when given, needs at least one combination", nameof(Conditions));
            foreach (var c in Conditions) c.Validate();
        }
        return this;
    }

    /// <summary>Reads ranges from JSON, e.g.
    /// <c>{"name":"gap","radius":[{"min":0.7,"max":1.4}],"speed":[{"min":1,"max":2},{"min":3,"max":4}]}</c>.</summary>
    /// <exception cref="InvalidDataException">Unreadable JSON or missing fields.</exception>
    /// <exception cref="ArgumentException">Bad interval values.</exception>
    public static SplitRanges Load(string path)
    {
        SplitRanges? r;
        try
        {
            r = JsonSerializer.Deserialize<SplitRanges>(File.ReadAllText(path),
                new JsonSerializerOptions { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid split ranges JSON ({e.Message})", e);
        }
        if (r is null || r.Radius is null || r.Speed is null || r.Name is null)
            throw new InvalidDataException($"{path}: split ranges need 'name', 'radius' and 'speed'");
        return r.Validate();
    }

    private static void Check(IReadOnlyList<Interval> parts, string name, bool positive)
    {
        if (parts.Count == 0) throw new ArgumentException($"{name} needs at least one interval", name);
        foreach (var p in parts)
        {
            p.Validate(name);
            if (positive && p.Min <= 0) throw new ArgumentException($"{name} must be > 0 (got {p.Min})", name);
        }
    }
}
