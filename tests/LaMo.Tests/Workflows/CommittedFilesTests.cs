using System.Text.RegularExpressions;
using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>Issue 16, "Done when": no committed file names a folder of the machine that made it. Text files of the
/// repository (docs, shipped models and cards, configs, golden vectors, benchmark results) must not contain this
/// checkout's own path, the temp folder or the home folder, nor a typical machine path (<c>/tmp/…</c>,
/// <c>/home/…</c>, <c>/root/…</c>, <c>/work/…</c>) outside an example command.</summary>
public sealed class CommittedFilesTests
{
    private static readonly string[] TextExtensions = [".md", ".json", ".csv", ".txt", ".tsv", ".html", ".yaml", ".yml"];

    // Places the repository keeps generated or hand-written text in; sources are checked by review, not here.
    private static readonly string[] Folders = ["docs", "models", "configs", "bench", Path.Combine("tests", "LaMo.Tests", "Golden")];

    private static IEnumerable<string> TextFiles()
    {
        string root = RelyKit.Root;
        var skip = new[] { $"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}" };
        return Folders.Select(f => Path.Combine(root, f)).Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Where(f => TextExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !skip.Any(s => f.Contains(s, StringComparison.Ordinal)))
            .Append(Path.Combine(root, "README.md"));
    }

    [Fact]
    public void CommittedTextFiles_NameNoFolderOfThisMachine()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var machine = new[] { Path.TrimEndingDirectorySeparator(Path.GetTempPath()), home }
            .Where(p => p.Length > 1).Select(Path.TrimEndingDirectorySeparator).Distinct().ToArray();
        // This checkout's path never; a machine path in prose or JSON neither; a line that is an example command
        // (./lamo, dotnet, mpirun, sbatch) may use /tmp/… or /home/… as its example argument.
        var typical = new Regex(@"(^|[\s""'(=])/(tmp|home|root|work)/[A-Za-z0-9._-]");
        var found = new List<string>();
        int checkedFiles = 0;
        foreach (var file in TextFiles())
        {
            checkedFiles++;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                bool example = Regex.IsMatch(line, @"(\./lamo|dotnet |mpirun|sbatch|srun)");
                if (line.Contains(RelyKit.Root + "/", StringComparison.Ordinal)
                    || (!example && (typical.IsMatch(line) || machine.Any(m => line.Contains(m + "/", StringComparison.Ordinal)))))
                    found.Add($"{Path.GetRelativePath(RelyKit.Root, file)}:{i + 1}: {line.Trim()[..Math.Min(120, line.Trim().Length)]}");
            }
        }
        Assert.True(checkedFiles > 20, $"only {checkedFiles} files checked");
        Assert.True(found.Count == 0, "machine paths in committed files:\n" + string.Join("\n", found));
    }
}
