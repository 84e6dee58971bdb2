using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace LaMo.Tests.Distributed;

/// <summary>A fact that needs Open MPI's <c>mpirun</c>: it FAILS when mpirun is missing, unless <c>LAMO_SKIP_MPI=1</c>
/// (then it is reported as skipped).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("LAMO_SKIP_MPI") == "1") Skip = "LAMO_SKIP_MPI=1";
    }
}

/// <summary>Builds tests/MpiDriver when its output is missing or older than its sources, and runs it (or the lamo CLI)
/// under mpirun.</summary>
internal static class MpiDriverRunner
{
    private static readonly object BuildGate = new();
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private static readonly string[] LinkedSources = ["ShardedToyTask.cs", "BFloat16Case.cs"];   // compiled into the driver too

    /// <summary>Repository root (the folder holding LaMo.slnx above the test assembly).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Build configuration of the running test assembly (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    private static string DriverDir => Path.Combine(RepoRoot, "tests", "MpiDriver");
    private static string DriverExe => Path.Combine(DriverDir, "bin", Configuration, "net10.0", "MpiDriver");

    /// <summary>Runs <c>mpirun -np <paramref name="ranks"/> MpiDriver train ...</c> and returns rank 0's losses by step.</summary>
    public static SortedDictionary<int, double> Train(int ranks, string runFolder, int totalSteps, int globalBatch, params string[] extra)
    {
        string outFile = Path.Combine(Path.GetDirectoryName(runFolder)!, $"{Path.GetFileName(runFolder)}.{Guid.NewGuid():N}.json");
        Mpirun(ranks, ["train", runFolder, totalSteps.ToString(), globalBatch.ToString(), "--out", outFile, .. extra]);
        var doc = JsonNode.Parse(File.ReadAllText(outFile))!;
        Assert.Equal(ranks, (int)doc["ranks"]!);
        return new SortedDictionary<int, double>(doc["losses"]!.AsObject().ToDictionary(kv => int.Parse(kv.Key), kv => (double)kv.Value!));
    }

    /// <summary>Runs the driver under mpirun; fails the test with the ranks' output on a non-zero exit or a time-out.</summary>
    public static string Mpirun(int ranks, IReadOnlyList<string> driverArgs)
    {
        EnsureDriverBuilt();
        return MpirunExe(ranks, DriverExe, driverArgs);
    }

    /// <summary>The <c>lamo</c> CLI binary (built with the test project, which references LaMo.Cli).</summary>
    public static string CliExe => Path.Combine(RepoRoot, "src", "LaMo.Cli", "bin", Configuration, "net10.0", "LaMo.Cli");

    /// <summary>Runs <c>mpirun -np <paramref name="ranks"/> LaMo.Cli ...</c>; returns every rank's output (stdout and
    /// stderr), failing the test on a non-zero exit or a time-out.</summary>
    public static string MpirunCli(int ranks, IReadOnlyList<string> cliArgs)
    {
        if (!File.Exists(CliExe)) throw new Xunit.Sdk.XunitException($"{CliExe} is missing: build the solution (-c {Configuration}) first");
        return MpirunExe(ranks, CliExe, cliArgs);
    }

    private static string MpirunExe(int ranks, string exe, IReadOnlyList<string> args)
    {
        string mpirun = FindOnPath("mpirun") ?? throw new Xunit.Sdk.XunitException(
            "mpirun not found: the distributed tests need Open MPI (Debian packages openmpi-bin libopenmpi-dev; " +
            "./lamo installs them). Set LAMO_SKIP_MPI=1 to skip these tests instead.");
        var psi = new ProcessStartInfo(mpirun) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString(), exe })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";   // libgomp's spin-wait: 2 ranks on 2 cores crawl without it
        var (code, output) = Run(psi, RunTimeout);
        if (code != 0)
            throw new Xunit.Sdk.XunitException($"mpirun -np {ranks} {Path.GetFileName(exe)} {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    private static void EnsureDriverBuilt()
    {
        lock (BuildGate)
        {
            // An implementation-only change of LaMo re-copies LaMo.dll but leaves MpiDriver.dll as it was; the stamp
            // records the last build this class made.
            string stamp = DriverExe + ".stamp";
            var outputs = new[] { DriverExe + ".dll", Path.Combine(Path.GetDirectoryName(DriverExe)!, "LaMo.dll"), stamp }
                .Where(File.Exists).Select(File.GetLastWriteTimeUtc).ToList();
            if (File.Exists(DriverExe + ".dll") && NewestSource() <= outputs.Max()) return;
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "build", Path.Combine(DriverDir, "MpiDriver.csproj"), "-c", Configuration, "-nologo", "-v:q", "-clp:ErrorsOnly" })
                psi.ArgumentList.Add(a);
            var (code, output) = Run(psi, TimeSpan.FromMinutes(5));
            if (code != 0) throw new Xunit.Sdk.XunitException($"building tests/MpiDriver failed:\n{output}");
            File.WriteAllText(stamp, DateTime.UtcNow.ToString("O"));
        }
    }

    private static DateTime NewestSource()
    {
        var roots = new[] { Path.Combine(RepoRoot, "src", "LaMo"), DriverDir };
        return roots.SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)) &&
                        !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Concat(LinkedSources.Select(f => Path.Combine(RepoRoot, "tests", "LaMo.Tests", "Distributed", f)))
            .Select(File.GetLastWriteTimeUtc).Max();
    }

    private static (int Code, string Output) Run(ProcessStartInfo psi, TimeSpan timeout)
    {
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, $"timed out after {timeout}\n{stdout.Result}\n{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LaMo.slnx"))) return d.FullName;
        throw new InvalidOperationException("LaMo.slnx not found above " + AppContext.BaseDirectory);
    }
}
