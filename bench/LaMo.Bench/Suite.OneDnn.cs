using System.Text.Json.Nodes;
using static LaMo.Bench.Report;

namespace LaMo.Bench;

internal sealed partial class Suite
{
    // ---------------------------------------------------------------- 8. the oneDNN fault's fix
    private void OneDnnSection()
    {
        int reps = o.Quick ? 3 : 15;
        _r.Section("8. Cost of the oneDNN conv-gradient fix (docs/numerics.md)",
            "LibTorch 2.10's oneDNN computes fp32 conv input gradients wrongly on AVX-512 CPUs when the output channel count is " +
            "not a multiple of 16. `none` = the faulty kernels; `pad-channels` = the library's fix (`SafeConv`); `mkldnn-off` = " +
            "ATen's own kernels; `isa-avx` = `DNNL_MAX_CPU_ISA=AVX`. The first three are switched inside one process and run " +
            $"interleaved ({reps} repetitions after warm-up); their ratio to `none` is the median of per-repetition ratios, so a " +
            "change of machine load hits both sides. `isa-avx` needs its own process (the cap only works before the first " +
            "convolution): its ratio is of medians from two processes run one after the other. `worst error` is the largest " +
            "relative error of the library's conv2d/conv3d input gradient against float64 over output channels 1, 4, 8, 12, 16 " +
            "(∞ = NaN). Load at the start: " + MachineInfo.LoadAverage() + ".");
        var inProcess = OneDnnChild.Launch(isaAvx: false, reps, o.Threads);
        var isa = OneDnnChild.Launch(isaAvx: true, reps, o.Threads);
        var rows = new List<string[]>();
        foreach (var w in OneDnnChild.Workloads)
        {
            double none = inProcess.Seconds["none"][w], isaSeconds = isa.Seconds["isa-avx"][w];
            rows.Add([w, Ms(none),
                $"{Ms(inProcess.Seconds["pad-channels"][w])} ({F(inProcess.PairedRatio["pad-channels"][w], 2)}×)",
                $"{Ms(inProcess.Seconds["mkldnn-off"][w])} ({F(inProcess.PairedRatio["mkldnn-off"][w], 2)}×)",
                $"{Ms(isaSeconds)} ({F(isaSeconds / none, 2)}×)"]);
        }
        string Err(double e) => double.IsFinite(e) ? e.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture) : "∞";
        rows.Add(["worst error vs float64", Err(inProcess.WorstRelativeError["none"]), Err(inProcess.WorstRelativeError["pad-channels"]),
            Err(inProcess.WorstRelativeError["mkldnn-off"]), Err(isa.WorstRelativeError["isa-avx"])]);
        _r.Table(["workload (ms)", "none (faulty)", "pad-channels (used)", "mkldnn-off", "isa-avx"], rows);
        var worst = OneDnnChild.Workloads.MaxBy(w => inProcess.PairedRatio["pad-channels"][w])!;
        double worstRatio = inProcess.PairedRatio["pad-channels"][worst];
        _r.Target("oneDNN fix costs ≤ 10 % on each workload", "≤ 1.10×", worstRatio, worstRatio <= 1.10,
            $"pad-channels worst {F(worstRatio, 2)}× ({worst})");
        _r.Json["onednn_fix"] = new JsonArray(Node(inProcess), Node(isa));
    }
}
