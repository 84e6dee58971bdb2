namespace LaMo.World;

/// <summary>Verbal speed classes used in captions, with their bounds in units/s.</summary>
public enum SpeedBin
{
    /// <summary>v = 0.</summary>
    Still,
    /// <summary>0 &lt; v &lt; 0.9 (OOD slow).</summary>
    VerySlow,
    /// <summary>0.9 &lt;= v &lt; 2.</summary>
    Slow,
    /// <summary>2 &lt;= v &lt;= 3.</summary>
    Moderate,
    /// <summary>3 &lt; v &lt;= 4.4.</summary>
    Fast,
    /// <summary>v &gt; 4.4 (OOD fast).</summary>
    VeryFast,
}
