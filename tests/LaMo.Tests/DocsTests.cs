using System.Text.RegularExpressions;
using Xunit;

namespace LaMo.Tests;

/// <summary>Our own docs are self-contained: every <c>docs/*.md</c> the code, the README or the docs cite exists, and
/// the method and benchmark pages are cited by their path in the repository.</summary>
public sealed class DocsTests
{
    private static IEnumerable<string> Sources() =>
        Directory.GetFiles(RelyKit.Repo("src"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Concat(Directory.GetFiles(RelyKit.Repo("docs"), "*.md", SearchOption.AllDirectories)).Append(RelyKit.Repo("README.md"));

    [Fact]
    public void CitedDocs_Exist()
    {
        foreach (var file in Sources())
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"(?<![\w/.])docs/[\w/.-]+?\.md"))
                Assert.True(File.Exists(RelyKit.Repo(m.Value)), $"{file} cites {m.Value}, which does not exist");
    }

    [Fact]
    public void MethodAndBenchmarkPages_AreCitedByTheirPath()
    {
        foreach (var file in Sources())
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"(?<!(\]\(|[\w/.-]))(method|physics-benchmark)\.md"))
                Assert.Fail($"{file}: '{m.Value}' without its folder (write docs/{m.Value})");
    }
}
