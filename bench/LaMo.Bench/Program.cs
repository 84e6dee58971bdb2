// LaMo performance benchmark suite (issue 8). One run measures everything and writes bench/results.md + results.json
// and bench/scaling.png:
//   dotnet run -c Release --project bench/LaMo.Bench -- all [--quick] [--out DIR] [--python PATH] [--threads N]
//   dotnet run -c Release --project bench/LaMo.Bench -- vae-child encode|decode FRAMES SIZE REPS THREADS   (internal)
// --quick: fewer repetitions and sizes, for developing the harness (numbers are not the reported ones).
// --omp-default: keep libgomp's spin-waiting (by default the harness sets OMP_WAIT_POLICY=PASSIVE for itself and its
//   children, the PyTorch run included, unless the variable is already set).
using LaMo.Bench;

// Before any TorchSharp call: libgomp reads OMP_WAIT_POLICY when LibTorch loads (see LaMo.Core.OpenMpWaitPolicy).
// With --omp-default, libgomp's own default spin count, given as the user's choice, keeps the LaMo assembly (which
// applies PASSIVE when it loads) from changing it; .NET's copy of the environment is what it reads and children inherit.
if (args.Contains("--omp-default")) Environment.SetEnvironmentVariable("GOMP_SPINCOUNT", "300000");
string ompPolicy = args.Contains("--omp-default") ? "libgomp default (spin)" : LaMo.Core.OpenMpWaitPolicy.ApplyPassiveUnlessSet();

if (args.Length > 0 && args[0] == "onednn-child")
    return OneDnnChild.Run(args[1] == "isa-avx", int.Parse(args[2]), int.Parse(args[3]));
if (args.Length > 0 && args[0] == "vae-child")
    return VaeChild.Run(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5]));
if (args.Length > 0 && args[0] == "probe-mpg")   // diagnostic: sequential unguided / MPG step times at a workload
{
    TorchSharp.torch.set_num_threads(2);
    var w = args.Length > 1 && args[1] == "small" ? Workload.Small(1) : Workload.RatioMatched(0.0154);
    using var s = new SamplingStep(w);
    foreach (var (name, g) in new (string, LaMo.Diffusion.IGuidance?)[] { ("unguided", null), ("mpg", s.Mpg), ("unguided", null), ("mpg", s.Mpg) })
        Console.WriteLine($"{name}: " + string.Join(" ", Measure.Repeat(1, 5, () => s.Run(g)).Select(x => (x * 1e3).ToString("F1"))));
    Console.WriteLine("apply only: " + string.Join(" ", Measure.Repeat(1, 5, () => s.Mpg.Apply(s.Context())).Select(x => (x * 1e3).ToString("F1"))));
    var ctx = s.Context();
    var lat = ctx.Latents;   // [B, F, C, H, W]
    long f = lat.shape[1];
    var z = lat[.., ..^1].reshape(-1, lat.shape[2], lat.shape[3], lat.shape[4]).clone();
    var pooled = LaMo.Motion.MotionPrior.PoolPrompt(ctx.PromptEmbeds!);
    Console.WriteLine("prior fwd: " + string.Join(" ", Measure.Repeat(1, 5, () => { using var ng = TorchSharp.torch.no_grad(); s.Prior.forward(z, pooled, TorchSharp.torch.zeros_like(z)).Dispose(); }).Select(x => (x * 1e3).ToString("F1"))));
    Console.WriteLine("prior fwd+bwd(input): " + string.Join(" ", Measure.Repeat(1, 5, () =>
    {
        var zl = z.clone().requires_grad_(true);
        var o = s.Prior.forward(zl, pooled, TorchSharp.torch.zeros_like(z));
        TorchSharp.torch.autograd.grad([o.square().mean()], [zl]);
    }).Select(x => (x * 1e3).ToString("F1"))));
    Console.WriteLine($"prior config: {s.Prior.Config.ToJson()} input [{string.Join(",", z.shape)}]");
    return 0;
}
if (args.Length > 0 && args[0] == "probe-attn")   // diagnostic: peak RSS growth of one SDPA call, [2, heads, n, 64]
{
    static long Hwm() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    int n = int.Parse(args[1]), heads = int.Parse(args[2]);
    bool grad = args.Contains("--grad");
    using var q = TorchSharp.torch.randn(2, heads, n, 64).requires_grad_(grad);
    using var k = TorchSharp.torch.randn(2, heads, n, 64);
    using var v = TorchSharp.torch.randn(2, heads, n, 64);
    long before = Hwm();
    using (var o = TorchSharp.torch.nn.functional.scaled_dot_product_attention(q, k, v))
        if (grad) o.sum().backward();
    double scores = 2.0 * heads * n * n * 4;
    Console.WriteLine($"n={n} heads={heads} grad={grad}: peak growth {(Hwm() - before) / 1e6:F0} MB; materialised scores would be {scores / 1e6:F0} MB");
    return 0;
}
if (args.Length > 0 && args[0] == "loop")   // for `perf record`: loop train|sample tiny|small SECONDS
{
    TorchSharp.torch.set_num_threads(2);
    bool small = args[2] == "small";
    var end = DateTime.UtcNow.AddSeconds(double.Parse(args[3]));
    var times = new List<double>();
    if (args[1] is "train" or "joint")
    {
        using var ts = new TrainingStep(small ? Workload.Small(4) : Workload.Tiny(4));
        var parts = new List<(double, double, double)>();
        while (DateTime.UtcNow < end) { times.Add(Measure.Once(() => ts.Run(false, args[1] == "joint"))); parts.Add(ts.LastBreakdown); }
        Console.WriteLine($"forward {Measure.Median(parts.Select(p => p.Item1)) * 1e3:F2} ms, backward {Measure.Median(parts.Select(p => p.Item2)) * 1e3:F2} ms, optimiser {Measure.Median(parts.Select(p => p.Item3)) * 1e3:F2} ms");
    }
    else
    {
        using var ss = new SamplingStep(small ? Workload.Small(1) : Workload.Tiny(1));
        while (DateTime.UtcNow < end) times.Add(Measure.Once(() => ss.Run(null)));
    }
    Console.WriteLine($"{times.Count} steps, median {Measure.Median(times) * 1e3:F2} ms ({ompPolicy})");
    Console.WriteLine($"RESULT {Measure.Median(times)}");
    return 0;
}
if (args.Length == 0 || args[0] != "all")
{
    Console.Error.WriteLine("usage: LaMo.Bench all [--quick] [--out DIR] [--python PATH] [--threads N] [--only SECTIONS]");
    return 2;
}
var options = new BenchOptions(
    Quick: args.Contains("--quick"),
    OutDir: Option("--out") ?? Paths.Repo("bench"),
    Python: Option("--python") ?? "/usr/bin/python3",
    Threads: int.Parse(Option("--threads") ?? "2"),
    Only: Option("--only")?.Split(',').ToHashSet(),
    OmpPolicy: ompPolicy);
return new Suite(options).Run();

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
