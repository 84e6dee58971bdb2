using System.Diagnostics;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace LaMo.Bench;

/// <summary>What the numbers were measured on.</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCores, string Os, string DotNet, string TorchSharp, string LibTorch,
    int TorchThreads, string LoadAverageStart, string? LoadAverageEnd, bool DemoTrainingRunningAtStart, bool? DemoTrainingRunningAtEnd,
    double MatmulGflops, double? MatmulGflopsEnd, string StartedUtc)
{
    public string OmpWaitPolicy { get; init; } = "";

    public static MachineInfo Capture(double matmulGflops) => new(
        ReadCpuModel(), Environment.ProcessorCount, Environment.OSVersion.VersionString, Environment.Version.ToString(),
        TorchSharpVersion(), LibTorchVersion(), get_num_threads(), LoadAverage(), null, OtherTrainingRunning(), null,
        matmulGflops, null, DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'"));

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>True when another process runs the demo's training (the background job of the brief).</summary>
    public static bool OtherTrainingRunning()
    {
        int self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == self) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains("demo --from-scratch")) return true;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return false;
    }

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown"; }
    }

    private static string TorchSharpVersion()
    {
        var asm = typeof(TorchSharp.torch).Assembly;
        var info = asm.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        return (info ?? asm.GetName().Version?.ToString() ?? "unknown").Split('+')[0];
    }

    private static string LibTorchVersion()
    {
        var deps = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json").FirstOrDefault();
        if (deps is null) return "unknown";
        var m = Regex.Match(File.ReadAllText(deps), "\"libtorch-cpu-linux-x64/([0-9.]+)\"");
        return m.Success ? m.Groups[1].Value : "unknown";
    }

    /// <summary>kB value of a /proc/self/status field (VmHWM, VmRSS).</summary>
    public static long Status(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0]);
        throw new InvalidOperationException($"{key} not in /proc/self/status");
    }

    /// <summary>Runs a process to the end; returns stdout (throws with stderr on failure).</summary>
    public static string Run(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"{file} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
