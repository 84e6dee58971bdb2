namespace LaMo.Tests.Distributed;

/// <summary>Known bfloat16 contributions (raw bits) of ranks 0 and 1 for the bf16 all-reduce tests. Shared (linked)
/// with tests/MpiDriver, so the test can compute what the ranks must have summed.</summary>
internal static class BFloat16Case
{
    /// <summary>(rank 0, rank 1) pairs whose sum exercises rounding and special values.</summary>
    public static readonly (ushort Rank0, ushort Rank1)[] Special =
    [
        (0x3F80, 0x3B80),   // 1 + 2⁻⁸: a tie between 1 and 1 + 2⁻⁷ → 1 (even)
        (0x3F81, 0x3B80),   // (1 + 2⁻⁷) + 2⁻⁸: a tie → 1 + 2⁻⁶ (even)
        (0x3F80, 0x3B81),   // just above the tie → rounds up
        (0x7F7F, 0x7F7F),   // max + max overflows → +∞
        (0xFF7F, 0xFF7F),   // → −∞
        (0x7FC0, 0x3F80),   // NaN + 1 → NaN
        (0x7F80, 0xFF80),   // +∞ + −∞ → NaN
        (0x0001, 0x0001),   // subnormals add exactly
        (0x8000, 0x8000),   // −0 + −0 → −0
        (0x4040, 0xC040),   // 3 + −3 → +0
    ];

    /// <summary>Random finite values after the special ones.</summary>
    public const int RandomCount = 1000;

    /// <summary>Total values each rank contributes.</summary>
    public static int Length => Special.Length + RandomCount;

    /// <summary>What rank <paramref name="rank"/> (0 or 1) contributes.</summary>
    public static ushort[] Contribution(int rank)
    {
        var values = new ushort[Length];
        for (int i = 0; i < Special.Length; i++) values[i] = rank == 0 ? Special[i].Rank0 : Special[i].Rank1;
        var rng = new Random(17 + rank);
        for (int i = Special.Length; i < Length; i++)
            values[i] = (ushort)(rng.Next(0, 0x7F80) | (rng.Next(2) << 15));   // any finite magnitude (incl. 0, subnormals), either sign
        return values;
    }

    /// <summary>Moderate values for gradients: |x| in [2⁻¹⁰, 2¹⁰), either sign (a sum of two cannot overflow).</summary>
    public static ushort[] Gradient(int rank, int count)
    {
        var rng = new Random(101 + rank);
        var values = new ushort[count];
        for (int i = 0; i < count; i++)
            values[i] = (ushort)(((117 + rng.Next(20)) << 7) | rng.Next(128) | (rng.Next(2) << 15));   // exponent 117..136
        return values;
    }
}
