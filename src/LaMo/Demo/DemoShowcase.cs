namespace LaMo.Demo;

/// <summary>Placeholder until the showcase lands.</summary>
public sealed record DemoShowcase
{
    /// <summary>Miniature settings.</summary>
    public static DemoShowcase Miniature { get; } = new();

    /// <summary>Runs the showcase.</summary>
    public string Run(string modelsFolder, string runFolder, TextWriter log) => throw new NotSupportedException("showcase not built yet");
}
