namespace LaMo.World;

/// <summary>Verbal size classes used in captions, with their bounds on the radius in units.</summary>
public enum SizeBin
{
    /// <summary>r &lt; 0.65 (OOD small).</summary>
    Tiny,
    /// <summary>0.65 &lt;= r &lt; 0.9.</summary>
    Small,
    /// <summary>0.9 &lt;= r &lt;= 1.2.</summary>
    Medium,
    /// <summary>1.2 &lt; r &lt;= 1.5.</summary>
    Large,
    /// <summary>r &gt; 1.5 (OOD large).</summary>
    Huge,
}
