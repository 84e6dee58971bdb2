using System.CommandLine;
using Xunit;

namespace LaMo.Tests;

/// <summary>Runs one CLI command under a bare <c>lamo</c> root with exceptions propagating (unlike
/// <see cref="LaMo.Cli.CliApp.Run"/>, which maps them to exit codes), capturing output and error together.</summary>
public static class CliTestRunner
{
    public static (int Code, string Output) Invoke(Command command, params string[] args)
    {
        var root = new Command("lamo");
        root.Subcommands.Add(command);
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        var sw = new StringWriter();
        var code = parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = sw, Error = sw });
        return (code, sw.ToString());
    }
}
