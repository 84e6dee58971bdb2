using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Tests.Distributed;
using LaMo.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

// The process `mpirun` starts for tests/LaMo.Tests/Distributed (also runs alone, as one rank without MPI):
//   MpiDriver train <run-folder> <total-steps> <global-batch> [--resume] [--stop-after K] [--checkpoint-every K]
//                   [--bucket-bytes N] [--out losses.json]
//   MpiDriver bench [floats=5000000] [iterations=20] [--bucket-bytes N]
//   MpiDriver bf16 --out result.json      (2 ranks: BFloat16Case's values through both bf16 all-reduce paths)
// Exit code 0 on success; on an exception the job is aborted so no rank waits forever in a collective.
using var mpi = MpiContext.TryInitialize();
try
{
    set_num_threads(1);   // N ranks share the machine's cores
    return args.FirstOrDefault() switch
    {
        "train" => Driver.Train(mpi, args[1..]),
        "bench" => Driver.Bench(mpi, args[1..]),
        "bf16" => Driver.BFloat16(mpi, args[1..]),
        _ => Driver.Usage(),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine($"rank {mpi?.Rank ?? 0}: {e}");
    if (mpi is { Size: > 1 }) mpi.Abort(1);
    return 1;
}

internal static class Driver
{
    public static int Usage()
    {
        Console.Error.WriteLine("usage: MpiDriver train <run-folder> <total-steps> <global-batch> [--resume] [--stop-after K] " +
            "[--checkpoint-every K] [--bucket-bytes N] [--out file] | bench [floats] [iterations] [--bucket-bytes N] | bf16 --out file");
        return 2;
    }

    public static int Train(MpiContext? mpi, string[] a)
    {
        string run = a[0];
        int total = int.Parse(a[1], CultureInfo.InvariantCulture), globalBatch = int.Parse(a[2], CultureInfo.InvariantCulture);
        int? stopAfter = Option(a, "--stop-after") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
        int every = int.Parse(Option(a, "--checkpoint-every") ?? "4", CultureInfo.InvariantCulture);
        long bucketBytes = long.Parse(Option(a, "--bucket-bytes") ?? MpiGradientSync.DefaultBucketBytes.ToString(CultureInfo.InvariantCulture),
            CultureInfo.InvariantCulture);
        using var sync = mpi is null ? null : new MpiGradientSync(mpi, bucketBytes);
        var task = new ShardedToyTask(seed: 11, globalBatch, sync?.Shard ?? DataShard.Single);
        var loop = new TrainingLoop(task, new TrainingLoopOptions(run, total, LogEvery: 1, CheckpointEvery: every, Resume: a.Contains("--resume")),
            new JsonObject { ["task"] = "sharded-toy", ["global_batch"] = globalBatch }, sync);
        using var cts = new CancellationTokenSource();
        var result = loop.Run(new SyncProgress(p => { if (p.Step == stopAfter) cts.Cancel(); }), cts.Token);
        if ((sync?.IsRoot ?? true) && Option(a, "--out") is { } outFile)
        {
            var losses = new JsonObject();
            foreach (var (step, m) in result.History) losses[step.ToString(CultureInfo.InvariantCulture)] = m["loss"];
            var doc = new JsonObject { ["ranks"] = mpi?.Size ?? 1, ["final_step"] = result.FinalStep, ["losses"] = losses };
            File.WriteAllText(outFile, doc.ToJsonString());
        }
        return 0;
    }

    /// <summary>Sums <see cref="BFloat16Case.Contribution"/> with <see cref="MpiContext.AllReduceSumBFloat16"/> and
    /// averages bf16 gradients (<see cref="BFloat16Case.Gradient"/>, two parameters, 1 KiB buckets so they are split)
    /// with <see cref="MpiGradientSync"/>; rank 0 writes both results as raw bits.</summary>
    public static int BFloat16(MpiContext? mpi, string[] a)
    {
        if (mpi is not { Size: 2 }) { Console.Error.WriteLine("bf16 needs exactly 2 ranks (mpirun -np 2 ...)"); return 2; }
        var sum = BFloat16Case.Contribution(mpi.Rank);
        mpi.AllReduceSumBFloat16(sum);

        var grads = BFloat16Case.Gradient(mpi.Rank, 600);
        var ps = new[] { new Parameter(zeros(400, dtype: ScalarType.BFloat16)), new Parameter(zeros(10, 20, dtype: ScalarType.BFloat16)) };
        using (var scope = NewDisposeScope())
        {
            var c = tensor(grads.Select(BFloat16Bits.ToSingle).ToArray()).to_type(ScalarType.BFloat16);   // exact: bf16 values
            ((ps[0] * c[..400]).sum() + (ps[1] * c[400..].reshape(10, 20)).sum()).backward();           // grad = c
        }
        using var sync = new MpiGradientSync(mpi, bucketBytes: 1024);
        sync.AllReduceGradients(ps);
        var mean = ps.SelectMany(p => p.grad!.to_type(ScalarType.Float32).flatten().data<float>().ToArray())
            .Select(f => (ushort)(BitConverter.SingleToUInt32Bits(f) >> 16)).ToArray();   // exact: bf16 → float32 widening
        if (mpi.IsRoot && Option(a, "--out") is { } outFile)
        {
            var doc = new JsonObject
            {
                ["ranks"] = mpi.Size,
                ["sum"] = new JsonArray(sum.Select(v => (JsonNode)(int)v).ToArray()),
                ["grad_mean"] = new JsonArray(mean.Select(v => (JsonNode)(int)v).ToArray()),
                ["grad_dtypes"] = new JsonArray(ps.Select(p => (JsonNode)p.grad!.dtype.ToString()).ToArray()),
            };
            File.WriteAllText(outFile, doc.ToJsonString());
        }
        foreach (var p in ps) p.Dispose();
        return 0;
    }

    /// <summary>Times <see cref="MpiGradientSync.AllReduceGradients"/> on a transformer-like parameter set.</summary>
    public static int Bench(MpiContext? mpi, string[] a)
    {
        if (mpi is null) { Console.Error.WriteLine("bench needs an MPI launcher (mpirun -np 2 ...)"); return 2; }
        long floats = a.Length > 0 && !a[0].StartsWith("--", StringComparison.Ordinal) ? long.Parse(a[0], CultureInfo.InvariantCulture) : 5_000_000;
        int iterations = a.Length > 1 && !a[1].StartsWith("--", StringComparison.Ordinal) ? int.Parse(a[1], CultureInfo.InvariantCulture) : 20;
        long bucketBytes = long.Parse(Option(a, "--bucket-bytes") ?? MpiGradientSync.DefaultBucketBytes.ToString(CultureInfo.InvariantCulture),
            CultureInfo.InvariantCulture);
        // A "small" transformer: per block d×3d (qkv), d×d (out), d×4d, 4d×d (MLP) + biases and norms, d = 256.
        const int d = 256;
        var ps = new List<Parameter>();
        while (ps.Sum(p => p.numel()) < floats)
            foreach (var shape in new long[][] { [3 * d, d], [3 * d], [d, d], [d], [4 * d, d], [4 * d], [d, 4 * d], [d], [d], [d] })
                ps.Add(new Parameter(randn(shape) * 0.02));
        using (var scope = NewDisposeScope())
        {
            manual_seed(mpi.Rank + 1);
            ps.Select(p => (p * randn(p.shape)).sum()).Aggregate((x, y) => x + y).backward();   // fills every p.grad
        }
        long n = ps.Sum(p => p.numel());
        using var sync = new MpiGradientSync(mpi, bucketBytes);
        sync.BroadcastParameters(ps);
        var times = new List<double>();
        for (int i = 0; i < iterations + 3; i++)
        {
            mpi.Barrier();
            var clock = Stopwatch.StartNew();
            sync.AllReduceGradients(ps);
            if (i >= 3) times.Add(clock.Elapsed.TotalMilliseconds);   // 3 warm-up calls
        }
        // The MPI call alone on one flat buffer of the same size (no staging copies).
        var flat = GC.AllocateArray<float>(checked((int)n), pinned: true);
        var raw = new List<double>();
        for (int i = 0; i < iterations + 3; i++)
        {
            mpi.Barrier();
            var clock = Stopwatch.StartNew();
            mpi.AllReduceSum(flat);
            if (i >= 3) raw.Add(clock.Elapsed.TotalMilliseconds);
        }
        if (mpi.IsRoot)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ranks={mpi.Size} floats={n} tensors={ps.Count} bucket_bytes={bucketBytes} " +
                $"allreduce_gradients_ms median={Median(times):F2} min={times.Min():F2} | raw_mpi_allreduce_ms median={Median(raw):F2} " +
                $"| {n * 4 / 1e6 / (Median(times) / 1e3):F0} MB/s"));
        foreach (var p in ps) p.Dispose();
        return 0;
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static string? Option(string[] a, string name)
    {
        int i = Array.IndexOf(a, name);
        return i >= 0 && i + 1 < a.Length ? a[i + 1] : null;
    }

    private sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }
}
