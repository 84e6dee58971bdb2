using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo doctor</c>: versions, threads, the native-library fix, OpenCV, and a matmul GFLOP/s figure.</summary>
public static class DoctorCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var cmd = new Command("doctor", "Check that TorchSharp, OpenCV and ffmpeg work here, measure matmul throughput, and check fp32 numerics against float64");
        var numericsOnly = new Option<bool>("--numerics") { Description = "Only the numerics check (docs/numerics.md); exit 1 when fp32 disagrees with float64" };
        cmd.Options.Add(numericsOnly);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(numericsOnly)) return Numerics(parse);
            o.WriteLine($".NET            {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
            o.WriteLine($"TorchSharp      {typeof(TorchSharp.torch).Assembly.GetName().Version}");
            var native = NativeLibraryCheck.Inspect(AppContext.BaseDirectory);
            o.WriteLine($"native fix      {native}");
            o.WriteLine($"LibTorch        {__version__}");
            o.WriteLine($"CUDA            {(cuda.is_available() ? $"available, {cuda.device_count()} device(s) (--device cuda)" : "not in this build or machine (CPU LibTorch; docs/gpu.md)")}");
            o.WriteLine($"threads         {get_num_threads()} intra-op, {get_num_interop_threads()} inter-op, {Environment.ProcessorCount} cores");
            o.WriteLine($"OpenCV          {OpenCvSharp.Cv2.GetVersionString()}; video I/O: {VideoBackends()}");
            o.WriteLine($"ffmpeg          {FfmpegVersion()}");
            o.WriteLine($"Open MPI        {MpiStatus()}");
            double gflops = MatmulBenchmark.MeasureGflops(1024, 10);
            o.WriteLine($"fp32 matmul     {gflops:F1} GFLOP/s (1024x1024, median of 10)");
            return Numerics(parse);
        });
        return cmd;
    }

    private static int Numerics(ParseResult parse)
    {
        var (line, ok) = NumericsLine();
        parse.InvocationConfiguration.Output.WriteLine($"numerics        {line}");
        if (!ok) parse.InvocationConfiguration.Error.WriteLine("lamo doctor: fp32 results here disagree with float64; see docs/numerics.md");
        return ok ? 0 : 1;
    }

    /// <summary>The numerics the library depends on, against float64: its convolutions' input gradients (where
    /// LibTorch's oneDNN fault shows) and a motion prior's forward and backward.</summary>
    private static (string Line, bool Ok) NumericsLine()
    {
        double conv = ConvNumericsCheck.WorstRelativeError(safe: true);
        double predictor = LaMo.Motion.PredictorNumericsCheck.WorstRelativeError();
        double plain = ConvNumericsCheck.WorstRelativeError(safe: false);
        bool ok = conv <= ConvNumericsCheck.Tolerance && predictor <= LaMo.Motion.PredictorNumericsCheck.Tolerance;
        string faulty = plain <= ConvNumericsCheck.Tolerance ? "right on this CPU" : $"faulty on this CPU (err {Err(plain)})";
        return ($"conv backward fp32 vs fp64 max err {Err(conv)}, predictor fwd+bwd {Err(predictor)}: {(ok ? "ok" : "WRONG")}; " +
                $"fix {OneDnnWorkaround.Applied}; LibTorch's plain conv backward {faulty}; CPU features (LibTorch): {LibTorchNative.CpuFeatures()}", ok);
    }

    private static string Err(double e) => double.IsFinite(e) ? e.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture) : "NaN/inf";

    private static string VideoBackends()
    {
        try { return string.Join(", ", OpenCvSharp.Cv2.GetBuildInformation().Split('\n')
            .SkipWhile(l => !l.Contains("Video I/O:")).Skip(1).TakeWhile(l => l.Contains(':'))
            .Select(l => l.Trim().Split(':')[0].Trim()).Where(s => s.Length > 0)); }
        catch (Exception e) { return "unavailable (" + e.Message + ")"; }
    }

    // Only `mpirun -np N ./lamo ...` needs MPI; a plain process never loads it.
    private static string MpiStatus()
    {
        string version;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mpirun", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            version = (p.StandardOutput.ReadLine() ?? "").Trim();
            p.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception) { return "not installed (needed only for mpirun -np N ./lamo train|prior train|encode|sample|eval)"; }
        string library = Environment.GetEnvironmentVariable(LaMo.Distributed.MpiContext.LibraryVariable) ?? "libmpi.so.40";
        bool loads = System.Runtime.InteropServices.NativeLibrary.TryLoad(library, out var handle);
        if (loads) System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return $"{version}; {library} {(loads ? "loads" : "NOT loadable: install libopenmpi-dev or set " + LaMo.Distributed.MpiContext.LibraryVariable)}";
    }

    private static string FfmpegVersion()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("ffmpeg", "-version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string first = p.StandardOutput.ReadLine() ?? "";
            p.WaitForExit();
            return first.Length > 0 ? first : "not found";
        }
        catch (System.ComponentModel.Win32Exception) { return "not found (H.264 output falls back to OpenCV mp4v)"; }
    }
}
