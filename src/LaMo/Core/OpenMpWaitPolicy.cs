using System.Runtime.InteropServices;

namespace LaMo.Core;

/// <summary>Makes LibTorch's OpenMP threads sleep instead of spin between parallel regions.</summary>
/// <remarks>libgomp's default lets idle worker threads spin-wait after every parallel region. On our 2-core machines,
/// with any other process running (a background training job, a test run), the spinning threads compete with the
/// threads doing work, and small-op workloads slowed down 16-30× in bench/LaMo.Bench (tiny training step 342 ms →
/// 11.7 ms with <c>OMP_WAIT_POLICY=PASSIVE</c>; Debian's PyTorch is affected the same way). libgomp reads the variable
/// once, when LibTorch is loaded, so this must run before the first TorchSharp call; the variable is set in the native
/// environment (for libgomp) and in .NET's copy (inherited by child processes).</remarks>
public static class OpenMpWaitPolicy
{
    /// <summary>The OpenMP variable this class sets.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets <c>OMP_WAIT_POLICY=PASSIVE</c> unless the user already chose a policy (<c>OMP_WAIT_POLICY</c> or
    /// <c>GOMP_SPINCOUNT</c> set) or libgomp is already loaded (then it would have no effect).</summary>
    /// <returns>What was done, for start-up logs; later calls return the first call's answer (the LaMo assembly makes
    /// the first call when it loads, see <see cref="OneDnnWorkaround"/>).</returns>
    public static string ApplyPassiveUnlessSet() => _result ??= ApplyOnce();

    private static string? _result;

    private static string ApplyOnce()
    {
        if (!OperatingSystem.IsLinux()) return "unchanged (not Linux)";
        foreach (var name in new[] { Variable, "GOMP_SPINCOUNT" })
            if (Environment.GetEnvironmentVariable(name) is { } value) return $"unchanged ({name}={value} set by the user)";
        if (LibGompLoaded()) return "unchanged (libgomp is already loaded; set OMP_WAIT_POLICY=PASSIVE before starting the process)";
        if (setenv(Variable, "PASSIVE", 1) != 0) return "unchanged (setenv failed)";
        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
        return "OMP_WAIT_POLICY=PASSIVE";
    }

    /// <summary>True when libgomp is mapped into this process.</summary>
    public static bool LibGompLoaded()
    {
        try { return File.ReadLines("/proc/self/maps").Any(l => l.Contains("libgomp", StringComparison.Ordinal)); }
        catch (IOException) { return false; }
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
