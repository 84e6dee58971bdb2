using System.Diagnostics;
using System.IO.Compression;
using LaMo.Core;
using LaMo.Tests.Distributed;
using LaMo.Video;
using Xunit;
using Xunit.Abstractions;

namespace LaMo.Tests.Packaging;

/// <summary>What a .NET user gets (docs/packaging.md): packs LaMo and LaMo.Cli from the built solution into a temporary
/// feed, installs the <c>lamo</c> tool from it into a temporary path and runs it, then builds both samples against the
/// LaMo package from that feed (not the repository's projects) and runs them with tiny settings. Restores use a
/// temporary packages folder with the machine's packages folder as a read-only fallback, so the repository's
/// dependencies come from where the build put them and nothing packed here is left in the machine's NuGet cache.</summary>
[Collection(nameof(SerialCollection))]
public sealed class PackageConsumerTests(ITestOutputHelper output)
{
    private static readonly string Root = MpiDriverRunner.RepoRoot;

    [Fact]
    public void PackedLibraryAndTool_WorkForAFreshConsumer()
    {
        var clock = Stopwatch.StartNew();
        var temp = Directory.CreateTempSubdirectory("lamo-packaging-");
        try
        {
            // A version of its own, so no copy of a LaMo package restored earlier on this machine can stand in for this one.
            string version = $"{LaMoInfo.Version}-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}";
            string feed = Path.Combine(temp.FullName, "feed");
            var env = ConsumerEnvironment(temp.FullName, feed);

            Dotnet(env, temp.FullName, "pack", Path.Combine(Root, "LaMo.slnx"), "-c", MpiDriverRunner.Configuration, "--no-build",
                "-o", feed, $"-p:Version={version}", $"-p:PublishDir={Path.Combine(temp.FullName, "publish")}/");
            Step(clock, "pack");
            CheckLibraryPackage(Path.Combine(feed, $"LaMo.{version}.nupkg"));

            string tools = Path.Combine(temp.FullName, "tools");
            Dotnet(env, temp.FullName, "tool", "install", "--tool-path", tools, "--add-source", feed, "LaMo.Cli", "--version", version);
            string lamo = Path.Combine(tools, "lamo");
            Assert.StartsWith(LaMoInfo.Version, Run(env, temp.FullName, lamo, "--version").Trim());
            string doctor = Run(env, temp.FullName, lamo, "doctor");
            Assert.Contains("LibTorch        2.10", doctor);
            Assert.Contains("numerics", doctor);
            Assert.DoesNotContain("NOT APPLIED", doctor);
            // The demo's models and configs travel inside the tool package, beside the binary (RepoPaths.Shipped).
            Assert.Single(Directory.GetFiles(Path.Combine(tools, ".store"), "model_index.json", SearchOption.AllDirectories),
                f => f.Replace('\\', '/').EndsWith("/models/demo/base/model_index.json", StringComparison.Ordinal));
            Assert.Contains(Directory.GetFiles(Path.Combine(tools, ".store"), "config.json", SearchOption.AllDirectories),
                f => f.Replace('\\', '/').EndsWith("/configs/demo/transformer/config.json", StringComparison.Ordinal));
            Step(clock, "tool install, --version, doctor");

            string samples = CopySamples(temp.FullName);
            Dotnet(env, samples, "build", "Samples.slnx", "-c", "Release", $"-p:LaMoVersion={version}");
            Step(clock, "samples built against the package");

            string models = Path.Combine(Root, "models", "demo");
            string videos = Path.Combine(temp.FullName, "guided");
            string guided = Run(env, samples, SampleExe(samples, "GuidedVideo"), models, videos, "2");
            string mp4 = Assert.Single(Directory.GetFiles(videos, "*.mp4"));
            Assert.Contains(mp4, guided);
            var frames = VideoDecoder.Decode(mp4);
            Assert.Equal((17, 32, 32), (frames.Frames, frames.Height, frames.Width));
            Assert.Contains("\"guidance_lambda\": 15", File.ReadAllText(Path.Combine(videos, "sample.json")));

            string work = Path.Combine(temp.FullName, "drift");
            string tuned = Run(env, samples, SampleExe(samples, "DriftFineTune"), models, work, "2");
            Assert.Contains("trained 2 steps", tuned);
            Assert.Matches(@"drift \d", tuned);   // the drift loss was on and finite
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, "run", "lora"), "*.safetensors"));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, "run", "predictor"), "*.safetensors"));
            Step(clock, "samples ran");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static void CheckLibraryPackage(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[] { "lib/net10.0/LaMo.dll", "lib/net10.0/LaMo.xml", "README.md", "buildTransitive/LaMo.targets", "buildTransitive/PatchGlibcxxVersion.cs" })
            Assert.Contains(expected, names);
        using var reader = new StreamReader(zip.GetEntry("LaMo.nuspec")!.Open());
        string nuspec = reader.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
        // The managed binding and the CPU LibTorch as separate dependencies, so a consumer can swap the native one.
        Assert.Contains("id=\"TorchSharp\" version=\"0.107.0\"", nuspec);
        Assert.Contains("id=\"libtorch-cpu-linux-x64\" version=\"2.10.0\"", nuspec);
        Assert.DoesNotContain("TorchSharp-cpu", nuspec);
    }

    // NUGET_PACKAGES: a temporary packages folder; the nuget.config beside it adds the feed and the machine's packages
    // folder as a fallback (read in place, never written).
    private Dictionary<string, string> ConsumerEnvironment(string temp, string feed)
    {
        string machinePackages = Run(new(), temp, "dotnet", "nuget", "locals", "global-packages", "--list").Trim();
        machinePackages = machinePackages[(machinePackages.IndexOf(':') + 1)..].Trim();
        Assert.True(Directory.Exists(machinePackages), $"the machine's NuGet packages folder {machinePackages} is missing");
        File.WriteAllText(Path.Combine(temp, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><add key="lamo-test-feed" value="{feed}" /></packageSources>
              <fallbackPackageFolders><add key="machine" value="{machinePackages}" /></fallbackPackageFolders>
            </configuration>
            """);
        return new()
        {
            ["NUGET_PACKAGES"] = Path.Combine(temp, "packages"),
            ["MSBUILDDISABLENODEREUSE"] = "1",   // no build node outlives the test holding its output pipes
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
    }

    private static string CopySamples(string temp)
    {
        string from = Path.Combine(Root, "samples"), to = Path.Combine(temp, "samples");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(from, file);
            // Not its nuget.config (that points at the repository's out/packages) nor any earlier build output.
            if (rel == "nuget.config" || rel.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, rel))!);
            File.Copy(file, Path.Combine(to, rel));
        }
        return to;
    }

    private static string SampleExe(string samples, string name) => Path.Combine(samples, name, "bin", "Release", "net10.0", name);

    private void Step(Stopwatch clock, string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F0} s  {what}");

    private string Dotnet(Dictionary<string, string> env, string cwd, params string[] args) =>
        Run(env, cwd, "dotnet", [.. args, .. (args[0] is "pack" or "build" ? new[] { "-nologo", "-v:q", "-clp:ErrorsOnly", "--disable-build-servers" } : [])]);

    private string Run(Dictionary<string, string> env, string cwd, string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(6)))
        {
            p.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{Path.GetFileName(exe)} {string.Join(' ', args)} timed out");
        }
        string text = stdout.Result + stderr.Result;
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"{Path.GetFileName(exe)} {string.Join(' ', args)} exited {p.ExitCode}:\n{text}");
        return text;
    }
}
