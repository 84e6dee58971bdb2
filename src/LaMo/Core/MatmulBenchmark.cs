using System.Diagnostics;
using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>Measures fp32 matrix-multiply throughput, the yardstick for utilisation figures.</summary>
[HostTensors("a CPU speed measurement (lamo doctor)")]
public static class MatmulBenchmark
{
    /// <summary>Median GFLOP/s of <paramref name="repeats"/> n×n×n matmuls (2n³ FLOPs each) after a warm-up of one
    /// matmul, or of <paramref name="warmupSeconds"/> of them (CPUs clock up under sustained load; a yardstick for a
    /// long measurement should be taken warm too).</summary>
    public static double MeasureGflops(int n = 1024, int repeats = 10, double warmupSeconds = 0)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        var warm = Stopwatch.StartNew();
        do mm(a, b).Dispose(); while (warm.Elapsed.TotalSeconds < warmupSeconds);
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            mm(a, b).Dispose();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return 2.0 * n * n * n / times[times.Count / 2] / 1e9;
    }
}
