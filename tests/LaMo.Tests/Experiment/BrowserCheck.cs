using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace LaMo.Tests.Experiment;

/// <summary>Checks a static HTML report: every &lt;img&gt;/&lt;video&gt;/&lt;source&gt; src and &lt;a href&gt; resolves to an
/// existing file, and the page loads and renders in headless Chromium (Debian's <c>chromium</c>; installed with apt-get
/// when missing and possible; <c>LAMO_SKIP_BROWSER=1</c> skips only the browser part).</summary>
public static partial class BrowserCheck
{
    [GeneratedRegex("<(?:img|video|source)\\b[^>]*\\bsrc=\"([^\"]+)\"|<a\\b[^>]*\\bhref=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    /// <summary>Asserts the references and the rendered page; returns the dumped DOM (or the source when skipped).</summary>
    public static string AssertPage(string htmlPath, params string[] expectedIds)
    {
        string source = File.ReadAllText(htmlPath);
        var refs = References(source);
        Assert.NotEmpty(refs);
        AssertResolve(htmlPath, refs);
        if (Environment.GetEnvironmentVariable("LAMO_SKIP_BROWSER") == "1") return source;
        string browser = FindOrInstall() ?? throw new Xunit.Sdk.XunitException(
            "headless browser check: chromium is not installed and could not be installed (apt-get install -y chromium); set LAMO_SKIP_BROWSER=1 to skip");
        string dom = DumpDom(browser, htmlPath);
        Assert.Contains("<table", dom);
        foreach (var id in expectedIds) Assert.Contains($"id=\"{id}\"", dom);
        var rendered = References(dom);
        Assert.Equal(refs.Count, rendered.Count);          // the browser saw every asset the file declares
        AssertResolve(htmlPath, rendered);
        return dom;
    }

    /// <summary>src/href values of a page (decoded).</summary>
    public static List<string> References(string html) =>
        Reference().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)).ToList();

    private static void AssertResolve(string htmlPath, IEnumerable<string> refs)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(htmlPath))!;
        foreach (var r in refs)
        {
            string rel = r.StartsWith("file://", StringComparison.Ordinal) ? new Uri(r).LocalPath : Uri.UnescapeDataString(r);
            Assert.False(rel.Contains("://", StringComparison.Ordinal), $"{r}: the report must only link local files");
            string path = Path.IsPathRooted(rel) ? rel : Path.Combine(dir, rel);
            Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"{htmlPath}: '{r}' does not resolve to a non-empty file");
        }
    }

    private static string? Find() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, n)))
            .FirstOrDefault(File.Exists);

    private static readonly object InstallLock = new();

    private static string? FindOrInstall()
    {
        lock (InstallLock)
        {
            if (Find() is { } found) return found;
            if (!File.Exists("/usr/bin/apt-get") || Environment.UserName != "root") return null;
            Run("/usr/bin/apt-get", ["install", "-y", "chromium"], TimeSpan.FromMinutes(10));
            return Find();
        }
    }

    private static string DumpDom(string browser, string htmlPath)
    {
        string profile = Directory.CreateTempSubdirectory("lamo-chromium-").FullName;
        try
        {
            var (rc, stdout, stderr) = Run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}",
                "--dump-dom", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri], TimeSpan.FromMinutes(2));
            Assert.True(rc == 0 && stdout.Contains("</html>", StringComparison.Ordinal), $"chromium exited {rc}: {stderr}");
            return stdout;
        }
        finally { Directory.Delete(profile, true); }
    }

    private static (int Rc, string Out, string Err) Run(string exe, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{exe} did not finish in {timeout}"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
