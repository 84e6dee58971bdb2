namespace LaMo.Distributed;

/// <summary>bfloat16 values as their raw 16 bits (the top half of a float32): .NET 10 has no BFloat16 type and MPI no
/// bf16 datatype, so bf16 buffers travel as <see cref="ushort"/>.</summary>
public static class BFloat16Bits
{
    /// <summary>The float32 with the same sign, exponent and top 7 mantissa bits (exact).</summary>
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>The nearest bf16, ties to even (LibTorch's and the hardware's rounding); overflow gives ±∞, NaN stays a
    /// (quiet) NaN with its sign.</summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        // Truncating a NaN could clear every mantissa bit left and make it ±∞: force the quiet bit instead.
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        uint lsb = (bits >> 16) & 1;                   // round half to even: +0x7FFF, +1 more when the kept part is odd
        return (ushort)((bits + 0x7FFFu + lsb) >> 16);
    }

    /// <summary>a + b computed in float32 and rounded once to bf16.</summary>
    public static ushort Add(ushort a, ushort b) => FromSingle(ToSingle(a) + ToSingle(b));
}
