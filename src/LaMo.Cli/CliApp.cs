using System.CommandLine;
using LaMo.Cli.Commands;
using LaMo.Core;

namespace LaMo.Cli;

/// <summary>Builds the <c>lamo</c> command tree and maps exceptions to one-line errors and exit codes
/// (0 success, 2 usage error — bad arguments, or an output that exists and is not to be replaced —, 1 failure;
/// <c>--verbose</c> adds the stack trace).</summary>
public static class CliApp
{
    /// <summary>Shown by every command; adds stack traces to errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces with errors", Recursive = true };

    /// <summary>The root command with every subcommand registered.</summary>
    public static Command BuildRoot()
    {
        // A plain Command named "lamo" (not RootCommand, which takes the executable's file name for help text).
        var root = new Command("lamo", "LaMo for .NET: latent motion priors for physically plausible video diffusion");
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(Verbose);
        foreach (var command in new[]
                 {
                     DoctorCommand.Create(), InspectCommand.Create(), VerifyCommand.Create(), WorldCommands.Create(), EvalCommands.Create(), DemoCommand.Create(), VideoPhyCommands.Create(), ExperimentCommand.Create(),
                 })
            root.Subcommands.Add(command);
        foreach (var command in WorkflowCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(Sharding.MergeCommand());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = BuildRoot();
        if (args.Length == 0) args = ["--help"];
        var parse = root.Parse(args);
        bool verbose = args.Contains("--verbose");
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => e.Message).Reverse())} (see lamo --help)");
            return 2;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error });
        }
        catch (Exception e)
        {
            var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
            error.WriteLine($"error: {OneLine(WithoutParameterSuffix(cause))}");
            if (verbose) error.WriteLine(cause.ToString());
            return ExitCodeFor(cause);
        }
    }

    /// <summary>2 for the caller's mistakes (bad arguments; an output that exists and may not be replaced without
    /// <c>--overwrite</c> or <c>--resume</c>), 1 for everything else (bad files, failures).</summary>
    public static int ExitCodeFor(Exception e) => e is ArgumentException or OutputExistsException ? 2 : 1;

    // Our messages already name the option; .NET's " (Parameter 'x')" would say it twice.
    private static string WithoutParameterSuffix(Exception e)
    {
        string suffix = e is ArgumentException { ParamName: { } name } ? $" (Parameter '{name}')" : "";
        return suffix.Length > 0 && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
    }

    // LibTorch appends a C++ stack ("Exception raised from ...") to its messages: keep the cause only.
    private static string OneLine(string message)
    {
        string m = message.ReplaceLineEndings(" ").Trim();
        int cut = m.IndexOf(" Exception raised from ", StringComparison.Ordinal);
        return cut > 0 ? m[..cut] : m;
    }
}
