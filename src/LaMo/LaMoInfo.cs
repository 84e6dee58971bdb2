namespace LaMo;

/// <summary>Library identity.</summary>
public static class LaMoInfo
{
    /// <summary>The library version.</summary>
    public const string Version = "0.1.0";
}
