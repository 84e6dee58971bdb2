using System.Diagnostics;
using System.Runtime.InteropServices;
using LaMo.Cli;
using LaMo.Data;
using LaMo.Models.CogVideoXVae;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests;

/// <summary>Helpers of the reliability tests: repository paths, the CLI in-process and as a child process, signals,
/// tiny pipelines and synthetic latent caches.</summary>
public static class RelyKit
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>POSIX signal numbers (Linux).</summary>
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    /// <summary>Sends a signal to a child process.</summary>
    public static void Signal(Process p, int sig) => Assert.Equal(0, kill(p.Id, sig));

    /// <summary>The repository root (holds LaMo.slnx).</summary>
    public static string Root
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "LaMo.slnx"))) return d.FullName;
            throw new InvalidOperationException("repository root not found");
        }
    }

    /// <summary>A file under the repository root.</summary>
    public static string Repo(string relative) => Path.Combine(Root, relative);

    /// <summary>Runs the CLI in-process; returns (exit code, stdout, stderr).</summary>
    public static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int rc = CliApp.Run(args, o, e);
        return (rc, o.ToString(), e.ToString());
    }

    /// <summary>Runs the CLI in-process and asserts success.</summary>
    public static string Ok(params string[] args)
    {
        var (rc, o, e) = Cli(args);
        Assert.True(rc == 0, $"lamo {string.Join(' ', args)} exited {rc}: {e}\n{o}");
        return o;
    }

    /// <summary>Starts the built CLI (LaMo.Cli.dll next to the test assembly) as a child process with redirected output.</summary>
    public static Process Start(params string[] args) => Start(defaultSigint: false, args);

    /// <summary>As <see cref="Start(string[])"/>; with <paramref name="defaultSigint"/> the child starts with SIGINT's
    /// default handling even when this process ignores it (a test run started in the background by a non-interactive
    /// shell inherits SIGINT ignored, and .NET keeps an inherited ignore).</summary>
    public static Process Start(bool defaultSigint, params string[] args)
    {
        var psi = new ProcessStartInfo(defaultSigint ? "env" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        if (defaultSigint)
        {
            psi.ArgumentList.Add("--default-signal=INT");   // coreutils env, then exec: the child keeps this process id
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LaMo.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        var output = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        Outputs[p.Id] = output;
        return p;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Text.StringBuilder> Outputs = new();

    /// <summary>Combined stdout + stderr of a child started by <see cref="Start"/>.</summary>
    public static string OutputOf(Process p) { var sb = Outputs[p.Id]; lock (sb) return sb.ToString(); }

    /// <summary>Runs a child to completion (bounded) and returns (exit code, output).</summary>
    public static (int Code, string Output) RunChild(TimeSpan timeout, params string[] args)
    {
        using var p = Start(args);
        if (!p.WaitForExit(timeout)) { p.Kill(true); Assert.Fail($"lamo {string.Join(' ', args)} did not finish in {timeout}"); }
        p.WaitForExit();
        return (p.ExitCode, OutputOf(p));
    }

    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="p"/> exits; true when the condition held.</summary>
    public static bool WaitFor(Func<bool> condition, Process p, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (condition()) return true;
            if (p.HasExited) return condition();
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>The CLI chain at miniature size in <paramref name="dir"/>: a 4-clip s1 world (32 px, 9 frames), a VAE
    /// trained 2 steps on it, a pipeline around the tiny transformer config (<c>base</c>) and the encoded cache
    /// (<c>cache</c>).</summary>
    public static (string Pipeline, string Cache) EncodedWorld(string dir, int worldSeed)
    {
        string P(string name) => Path.Combine(dir, name);
        foreach (var args in new[]
                 {
                     new[] { "world", "generate", "--scenarios", "s1", "--count", "4", "--size", "32", "--frames", "9", "--seed", worldSeed.ToString(), "--out", P("world") },
                     ["vae", "train", "--data", P("world"), "--out", P("vae"), "--steps", "2", "--batch-size", "2", "--frames", "9", "--size", "32"],
                     ["pipeline", "init", "--out", P("base"), "--vae", P("vae/vae"), "--transformer-config", "configs/tiny/transformer/config.json"],
                     ["encode", "--data", P("world"), "--pipeline", P("base"), "--out", P("cache"), "--frames", "9", "--size", "32"],
                 })
            Ok(args);
        return (P("base"), P("cache"));
    }

    /// <summary>A random tiny VAE folder (configs/tiny/vae) and a pipeline folder around it (tiny transformer).</summary>
    public static string TinyPipeline(string dir, int seed = 0)
    {
        string vaeDir = Path.Combine(dir, "vae-random"), pipe = Path.Combine(dir, "pipe");
        using (var scope = NewDisposeScope())
        {
            manual_seed(seed);
            using var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Load(Repo("configs/tiny/vae/config.json")));
            vae.SavePretrained(vaeDir);
        }
        Ok("pipeline", "init", "--out", pipe, "--vae", vaeDir, "--transformer-config", Repo("configs/tiny/transformer/config.json"), "--seed", seed.ToString());
        return pipe;
    }

    /// <summary>A synthetic latent cache for the tiny transformer config trained from scratch (C=16, text 16×32):
    /// <paramref name="clips"/> clips of [3, 16, 4, 4]; clip <paramref name="poison"/> (if any) holds a NaN.</summary>
    public static string SyntheticCache(string dir, int clips = 6, int? poison = null, int seed = 1)
    {
        string cache = Path.Combine(dir, "cache");
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var manifest = new LatentCacheManifest(Path.Combine(dir, "no-vae"), Path.Combine(dir, "no-text"), 1.0, 9, 32, 32, ShardSize: 4);
        using (var w = new LatentCacheWriter(cache, manifest))
            for (int i = 0; i < clips; i++)
            {
                var lat = randn([3, 16, 4, 4], generator: g);
                if (i == poison) lat[1, 2, 0, 0] = tensor(float.NaN);
                w.Add($"clip{i}", $"caption {i}", lat, randn([16, 32], generator: g), ones(16));
            }
        LatentCache.SaveEmptyPrompt(cache, zeros(16, 32));
        return cache;
    }

    /// <summary>Every floating tensor of every safetensors file of every complete checkpoint is finite, and every file opens.</summary>
    public static int AssertCheckpointsFinite(string runFolder)
    {
        int n = 0;
        if (!Directory.Exists(Path.Combine(runFolder, "checkpoints"))) return 0;
        foreach (var ck in Directory.GetDirectories(Path.Combine(runFolder, "checkpoints"), "step-*"))
        {
            LaMo.Training.CheckpointStore.ReadState(ck);
            foreach (var f in Directory.GetFiles(ck, "*.safetensors"))
            {
                using var scope = NewDisposeScope();
                foreach (var (k, t) in LaMo.Core.SafetensorsFile.LoadAll(f))
                    Assert.True(!t.is_floating_point() || t.isfinite().all().item<bool>(), $"{f}: {k} holds NaN/Inf");
                n++;
            }
        }
        return n;
    }

    /// <summary>metrics.csv rows without the timing and bookkeeping columns (which legitimately differ between runs).</summary>
    public static List<string> LossRows(string runFolder)
    {
        var rows = LaMo.Training.MetricsLog.Read(Path.Combine(runFolder, "metrics.csv"));
        return rows.Select(r => $"{r.Step}:" + string.Join(",", r.Values.Where(kv => kv.Key is not ("s_per_step" or "live_tensors"))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:R}"))).ToList();
    }
}
