using System.CommandLine;
using LaMo.Verification;

namespace LaMo.Cli.Commands;

/// <summary><c>lamo verify DIR</c>: reproduces every reference case in DIR (shared/golden format) from its sidecar
/// and prints, per output, the max abs error against its tolerance. Exit 0 only when all pass.</summary>
public static class VerifyCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder of <case>.safetensors + <case>.json pairs (or one case file)" };
        var cmd = new Command("verify", "Check this implementation against reference vectors from the original code") { dir };
        cmd.SetAction(parse =>
        {
            string d = parse.GetValue(dir)!;
            var o = parse.InvocationConfiguration.Output;
            IReadOnlyList<string> cases = File.Exists(d) ? [d] : Directory.Exists(d) ? GoldenCase.Find(d)
                : throw new FileNotFoundException($"{d}: no such file or folder");
            if (cases.Count == 0) throw new ArgumentException($"{d}: no <case>.json + <case>.safetensors pairs found");
            int passed = 0, failed = 0;
            foreach (var c in cases)
            {
                foreach (var r in GoldenVerifiers.RunCase(c))
                {
                    o.WriteLine($"{(r.Passed ? "PASS" : "FAIL")}  {r.Case}/{r.Output}  max|err| {r.MaxAbsError:E2}  tol {r.Atol:E1}{(r.Passed ? "" : "  " + r.Detail)}");
                    if (r.Passed) passed++; else failed++;
                }
            }
            o.WriteLine($"{passed} passed, {failed} failed ({cases.Count} cases)");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }
}
