// Fuzz campaign: dotnet run -c Release --project bench/Fuzz -- [cases=100000] [seed=20260101] [failure-folder]
// Runs LaMo.Fuzz.SafetensorsFuzzEngine (half mutated, half generated files) and
// LaMo.Fuzz.ConfigFuzzEngine (mutated config JSON of every config type); a watchdog thread aborts with the case
// number if any case hangs longer than 30 s. Exit code 0 only when no case broke a rule.
using System.Diagnostics;
using System.Globalization;
using LaMo.Fuzz;

long cases = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20260101;
string failures = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "lamo-fuzz-failures");

long lastProgress = 0;
var lastTick = Stopwatch.StartNew();
var watchdog = new Thread(() =>
{
    while (true)
    {
        Thread.Sleep(5000);
        if (lastTick.Elapsed.TotalSeconds > 120)
        {
            Console.Error.WriteLine($"HANG: no progress for 120 s after {Interlocked.Read(ref lastProgress)} cases");
            Environment.Exit(3);
        }
    }
}) { IsBackground = true };
watchdog.Start();
var progress = new Action<long>(n => { Interlocked.Exchange(ref lastProgress, n); lastTick.Restart(); if (n % 10000 == 0) Console.WriteLine($"  {n} cases"); });

var sw = Stopwatch.StartNew();
Console.WriteLine($"safetensors: {cases} cases, seed {seed}");
var st = SafetensorsFuzzEngine.Run(cases, seed, new SafetensorsFuzzEngine.Bounds(), failures, new Progress(progress));
Console.WriteLine($"safetensors: {st.Cases} cases ({st.Generated} generated, {st.Cases - st.Generated} mutated), {st.Accepted} accepted, " +
                  $"{st.Rejected} rejected, {st.Failures.Count} failures, slowest {st.MaxCaseMilliseconds:F1} ms, max managed {st.MaxManagedBytes:N0} B, {sw.Elapsed.TotalSeconds:F0} s");
foreach (var f in st.Failures.Take(20)) Console.WriteLine("  FAIL " + f);

var sw2 = Stopwatch.StartNew();
long configCases = Math.Max(1, cases / 5);
var cf = ConfigFuzzEngine.Run(configCases, seed);
Console.WriteLine($"configs: {cf.Cases} cases, {cf.Accepted} accepted, {cf.Rejected} rejected, {cf.Failures.Count} failures, " +
                  $"slowest {cf.MaxCaseMilliseconds:F1} ms, max managed {cf.MaxManagedBytes:N0} B, {sw2.Elapsed.TotalSeconds:F0} s");
foreach (var f in cf.Failures.Take(20)) Console.WriteLine("  FAIL " + f);
Console.WriteLine($"total {sw.Elapsed.TotalSeconds:F0} s");
return st.Failures.Count + cf.Failures.Count == 0 ? 0 : 1;

sealed class Progress(Action<long> report) : IProgress<long>
{
    public void Report(long value) => report(value);
}
