using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LaMo.Core;

/// <summary>Keeps LibTorch's oneDNN convolution kernels that compute wrong input gradients away from this process.</summary>
/// <remarks>LibTorch 2.10 bundles oneDNN 3.7.1, whose fp32 conv backward-data kernel (and conv_transpose forward, the
/// same kernel) reads uninitialised padding when the output channel count is not a multiple of the ISA's channel block
/// (16 on AVX-512, 8 on AVX2) and the batch is above 1: gradients come out wrong, often NaN, and differ from run to run
/// (docs/numerics.md). The default fix, <see cref="SafeConv"/>, lives inside every convolution of the library, so it
/// needs no call. This class holds the other fixes that were measured against it (bench/results.md, section 8),
/// chosen with <see cref="Variable"/>, and quiets LibTorch's NNPACK warnings; a module initializer applies it when the
/// LaMo assembly is first used.</remarks>
public static class OneDnnWorkaround
{
    /// <summary>Environment variable that selects the mode: <c>pad-channels</c> (default), <c>mkldnn-off</c>, <c>isa-avx</c>
    /// or <c>none</c>.</summary>
    public const string Variable = "LAMO_ONEDNN_FIX";

    /// <summary>The ways of avoiding the faulty kernels.</summary>
    public enum Mode
    {
        /// <summary>Pad the output channels of convolutions whose input gradient is needed (<see cref="SafeConv"/>).</summary>
        PadChannels,
        /// <summary>Leave LibTorch as it is (the faulty kernels run on affected CPUs).</summary>
        None,
        /// <summary>Turn oneDNN (mkldnn) off for LibTorch's dispatch: convolutions use ATen's own kernels.</summary>
        MkldnnOff,
        /// <summary>Cap oneDNN at AVX (<c>DNNL_MAX_CPU_ISA=AVX</c>), which has no kernel with the fault.</summary>
        IsaAvx,
    }

    /// <summary>The mode used when <see cref="Variable"/> is not set.</summary>
    public const Mode DefaultMode = Mode.PadChannels;

    private static readonly object Gate = new();
    private static string? _applied;

    /// <summary>What <see cref="Apply"/> did, for <c>lamo doctor</c> and start-up logs (null before it ran).</summary>
    public static string? Applied => _applied;

    /// <summary>Runs <see cref="Apply"/> when the LaMo assembly is first used.</summary>
    // CA2255 warns that library module initializers surprise their users; here running before the user's first call
    // is the point: a program must not be able to reach the faulty kernels by forgetting a call.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLoad() => Apply();

    /// <summary>Applies the mode chosen by <see cref="Variable"/> (or <see cref="DefaultMode"/>); idempotent.</summary>
    /// <returns>One line saying what was done.</returns>
    public static string Apply()
    {
        lock (Gate)
        {
            if (_applied is not null) return _applied;
            var mode = ModeFromEnvironment(out string? problem);
            // The caller's OpenMP policy must be in place before LibTorch (and libgomp with it) loads.
            OpenMpWaitPolicy.ApplyPassiveUnlessSet();
            _applied = mode switch
            {
                Mode.None => "none (oneDNN as shipped; wrong conv gradients on affected CPUs)",
                Mode.IsaAvx => CapIsa(),
                Mode.MkldnnOff => TurnMkldnnOff(),
                _ => $"pad-channels (output channels padded to a multiple of {SafeConv.ChannelBlock} where the input gradient is needed)",
            };
            QuietNnpack();
            if (problem is not null) _applied += $" ({problem})";
            return _applied;
        }
    }

    /// <summary>The mode <see cref="Variable"/> selects; an unknown value selects <see cref="DefaultMode"/> and says so in
    /// <paramref name="problem"/> (this runs when the assembly loads, where an exception would be unreadable).</summary>
    public static Mode ModeFromEnvironment(out string? problem)
    {
        problem = null;
        try { return ParseMode(Environment.GetEnvironmentVariable(Variable)); }
        catch (ArgumentException e) { problem = e.Message + "; using " + DefaultMode; return DefaultMode; }
    }

    /// <summary>Parses a <see cref="Variable"/> value; null or empty gives <see cref="DefaultMode"/>.</summary>
    public static Mode ParseMode(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => DefaultMode,
        "pad-channels" => Mode.PadChannels,
        "mkldnn-off" => Mode.MkldnnOff,
        "isa-avx" => Mode.IsaAvx,
        "none" => Mode.None,
        _ => throw new ArgumentException($"{Variable}={value} is not one of pad-channels, mkldnn-off, isa-avx, none"),
    };

    /// <summary>Whether LibTorch will dispatch to oneDNN (mkldnn) kernels now.</summary>
    public static bool MkldnnEnabled() => LibTorchNative.UserEnabledMkldnn();

    private static string TurnMkldnnOff()
    {
        LibTorchNative.SetUserEnabledMkldnn(false);
        return "mkldnn-off (convolutions use ATen's kernels, not oneDNN's)";
    }

    private static string CapIsa()
    {
        if (Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is { Length: > 0 } user)
            return $"isa-avx not applied: DNNL_MAX_CPU_ISA={user} set by the user";
        // oneDNN reads the variable when it creates its first primitive, so setting it now (before any convolution)
        // takes effect even though LibTorch is loaded; .NET's own copy is for child processes.
        if (setenv("DNNL_MAX_CPU_ISA", "AVX", 1) != 0) throw new InvalidOperationException("setenv(DNNL_MAX_CPU_ISA) failed");
        Environment.SetEnvironmentVariable("DNNL_MAX_CPU_ISA", "AVX");
        return "isa-avx (DNNL_MAX_CPU_ISA=AVX)";
    }

    // NNPACK is never used on CPUs it does not know, but LibTorch prints "Could not initialize NNPACK! Reason:
    // Unsupported hardware." each time it asks; switching it off keeps the output clean and changes no result.
    private static void QuietNnpack() => LibTorchNative.SetUserEnabledNNPACK(false);

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
