namespace LaMo.World;

/// <summary>Stable snake_case names of <see cref="Scenario"/> values, plus the PhyWorld ids.</summary>
public static class ScenarioNames
{
    private static readonly (Scenario Value, string Name, string Id)[] Table =
    [
        (Scenario.Uniform, "uniform", "s1"),
        (Scenario.Collision, "collision", "s2"),
        (Scenario.Parabola, "parabola", "s3"),
        (Scenario.WallBounce, "wall_bounce", "s4"),
        (Scenario.WallCollision, "wall_collision", "s5"),
        (Scenario.DropBounce, "drop_bounce", "drop"),
        (Scenario.FrictionSlide, "friction_slide", "friction"),
        (Scenario.Pendulum, "pendulum", "pendulum"),
    ];

    /// <summary>All scenarios in declaration order.</summary>
    public static IReadOnlyList<Scenario> All { get; } = Table.Select(t => t.Value).ToArray();

    /// <summary>The PhyWorld core scenarios S1-S5.</summary>
    public static IReadOnlyList<Scenario> Core { get; } =
        [Scenario.Uniform, Scenario.Collision, Scenario.Parabola, Scenario.WallBounce, Scenario.WallCollision];

    /// <summary>The snake_case name of a scenario.</summary>
    public static string Name(Scenario s) => Table.First(t => t.Value == s).Name;

    /// <summary>True for the PhyWorld core S1-S5.</summary>
    public static bool IsCore(Scenario s) => s <= Scenario.WallCollision;

    /// <summary>Parses a snake_case name or id (<c>s1</c>..<c>s5</c>); case-insensitive.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Scenario Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant().Replace('-', '_');
        foreach (var row in Table)
            if (row.Name == t || row.Id == t) return row.Value;
        throw new ArgumentException(
            $"unknown scenario '{text}'; expected one of {string.Join(", ", Table.Select(r => r.Name))}, s1..s5, core or all",
            nameof(text));
    }

    /// <summary>Parses a comma-separated list; <c>all</c> and <c>core</c> expand.</summary>
    /// <exception cref="ArgumentException">Unknown or empty list.</exception>
    public static IReadOnlyList<Scenario> ParseList(string text)
    {
        var result = new List<Scenario>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var p = part.ToLowerInvariant();
            var add = p == "all" ? All : p == "core" ? Core : [Parse(p)];
            foreach (var s in add) if (!result.Contains(s)) result.Add(s);
        }
        if (result.Count == 0) throw new ArgumentException("the scenario list is empty", nameof(text));
        return result;
    }
}
