using System.Text.Json.Nodes;
using LaMo.Core;
using static LaMo.Bench.Report;

namespace LaMo.Bench;

internal sealed partial class Suite
{
    // ---------------------------------------------------------------- 8. the oneDNN fault's fix
    private void OneDnnSection()
    {
        int reps = o.Quick ? 3 : 9, rounds = o.Quick ? 1 : 2;
        string[] modes = ["none", "pad-channels", "mkldnn-off", "isa-avx"];
        _r.Section("8. Cost of the oneDNN conv-gradient fix (docs/numerics.md)",
            "LibTorch 2.10's oneDNN computes fp32 conv input gradients wrongly on AVX-512 CPUs when the output channel count is " +
            "not a multiple of 16. Each candidate fix runs in its own child process (`LAMO_ONEDNN_FIX=MODE`; the ISA cap only " +
            $"works before the first convolution), {rounds} round(s) in the order {string.Join(", ", modes)}; a cell is the median " +
            $"over rounds of each child's median of {reps} runs, and the ratio is to `none` (the faulty kernels). " +
            "`worst error` is the largest relative error of the library's conv2d/conv3d input gradient against float64 over " +
            "output channels 1, 4, 8, 12, 16 (∞ = NaN). `pad-channels` is the fix the library uses (`SafeConv`).");
        var results = modes.ToDictionary(m => m, _ => new List<OneDnnChild.Result>());
        for (int round = 0; round < rounds; round++)
            foreach (var m in modes) results[m].Add(OneDnnChild.Launch(m, reps, o.Threads));
        double Cell(string mode, string workload) => Measure.Median(results[mode].Select(r => r.Seconds[workload]));
        var rows = new List<string[]>();
        foreach (var workload in OneDnnChild.Workloads)
        {
            var row = new List<string> { workload };
            foreach (var m in modes)
                row.Add(m == "none" ? Ms(Cell(m, workload)) : $"{Ms(Cell(m, workload))} ({F(Cell(m, workload) / Cell("none", workload), 2)}×)");
            rows.Add([.. row]);
        }
        rows.Add(["worst error vs float64", .. modes.Select(m => results[m].Max(r => r.WorstRelativeError) is var e && double.IsFinite(e) ? e.ToString("0.0e0") : "∞")]);
        _r.Table(["workload (ms)", .. modes], rows);
        double worstPadRatio = OneDnnChild.Workloads.Max(w => Cell("pad-channels", w) / Cell("none", w));
        _r.Target("oneDNN fix costs ≤ 10 % on each workload", "≤ 1.10×", worstPadRatio, worstPadRatio <= 1.10,
            $"pad-channels worst {F(worstPadRatio, 2)}× ({OneDnnChild.Workloads.MaxBy(w => Cell("pad-channels", w) / Cell("none", w))})");
        var json = new JsonArray();
        foreach (var m in modes) foreach (var r in results[m]) json.Add(Node(r));
        _r.Json["onednn_fix"] = json;
    }
}
