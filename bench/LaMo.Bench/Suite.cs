using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Models.CogVideoX;
using LaMo.Motion;
using static TorchSharp.torch;
using static LaMo.Bench.Report;

namespace LaMo.Bench;

internal sealed record BenchOptions(bool Quick, string OutDir, string Python, int Threads, HashSet<string>? Only, string OmpPolicy);

/// <summary>Runs the six measurements of issue 8 in one process (VAE memory in child processes, PyTorch in a Python
/// child) and writes the report.</summary>
internal sealed partial class Suite(BenchOptions o)
{
    private readonly Report _r = new();
    private int Warmup => o.Quick ? 1 : 3;
    private int Reps => o.Quick ? 3 : 15;
    private readonly Dictionary<string, double> _trainSamplesPerSecond = [];
    private MachineInfo _machine = null!;

    private bool Wants(string section) => o.Only is null || o.Only.Contains(section);

    public int Run()
    {
        set_num_threads(o.Threads);
        var total = Stopwatch.StartNew();
        double gflops = MatmulBenchmark.MeasureGflops(1024, 20);
        _machine = MachineInfo.Capture(gflops) with { OmpWaitPolicy = o.OmpPolicy };
        Console.WriteLine($"machine: {_machine.CpuModel}, {_machine.LogicalCores} cores, TorchSharp {_machine.TorchSharp} / LibTorch {_machine.LibTorch}, " +
                          $"{_machine.TorchThreads} threads, load {_machine.LoadAverageStart}, matmul {F(gflops, 1)} GFLOP/s" +
                          (_machine.DemoTrainingRunningAtStart ? "  (WARNING: the demo training job is running)" : ""));
        if (Wants("train")) TrainingSection();
        if (Wants("sample")) SamplingSection();
        if (Wants("pytorch")) PyTorchSection();
        if (Wants("vae")) VaeSection();
        if (Wants("data")) DataSection();
        if (Wants("scaling")) ScalingSection();
        if (Wants("omp")) OmpSection();
        if (Wants("onednn")) OneDnnSection();
        double gflopsEnd = MatmulBenchmark.MeasureGflops(1024, 20);
        _machine = _machine with
        {
            LoadAverageEnd = MachineInfo.LoadAverage(), DemoTrainingRunningAtEnd = MachineInfo.OtherTrainingRunning(), MatmulGflopsEnd = gflopsEnd,
        };
        Write(total.Elapsed.TotalSeconds);
        return 0;
    }

    // ---------------------------------------------------------------- 1. training step
    private void TrainingSection()
    {
        _r.Section("1. Training step (backbone)",
            "Batch 4, AdamW + clip 1.0, one step = forward, CogVideoX x₀ loss, backward, optimiser. FLOPs counted analytically " +
            "from the config (linears, patch conv, attention QKᵀ and A·V; training = 3 × forward); the joint variant adds the " +
            "predictor's 3 × forward on B·(F−1) frames. Utilisation = achieved GFLOP/s ÷ a warm fp32 1024³ matmul (3 s of matmuls " +
            "first, measured right before this section; the CPU clocks up under load, so a cold figure flatters utilisation). " +
            "Each variant is run interleaved with the base step (A B A B …) and its overhead is the median of the per-pair ratios.");
        var rows = new List<string[]>();
        var json = new JsonArray();
        double warmGflops = MatmulBenchmark.MeasureGflops(repeats: 20, warmupSeconds: 3);
        _r.Note($"Warm matmul: {F(warmGflops, 1)} GFLOP/s (run start, cold: {F(_machine.MatmulGflops, 1)}).");
        foreach (var w in new[] { Workload.Tiny(4), Workload.Small(4) })
        {
            using var ts = new TrainingStep(w);
            int reps = Reps * 2;
            var pd = Measure.Interleaved(Warmup, reps, () => ts.Run(false, false), () => ts.Run(true, false));   // base vs drift, paired
            var pj = Measure.Interleaved(1, Reps, () => ts.Run(false, false), () => ts.Run(true, true));        // base vs drift + joint
            var t = new[] { pd[0], pd[1], pj[1] };
            var fwd = new List<double>(); var bwd = new List<double>(); var opt = new List<double>();
            for (int i = 0; i < Reps; i++) { Measure.Once(() => ts.Run(false, false)); fwd.Add(ts.LastBreakdown.Forward); bwd.Add(ts.LastBreakdown.Backward); opt.Add(ts.LastBreakdown.Optimizer); }
            var driftOnly = Measure.Repeat(Warmup, Reps, ts.DriftOnly);
            double baseT = Measure.Median(t[0]);
            double driftOverhead = Measure.PairedRatio(pd[1], pd[0]) - 1, jointOverhead = Measure.PairedRatio(pj[1], pj[0]) - 1;
            double driftIsolated = Measure.Median(driftOnly) / baseT;
            string[] names = ["denoise loss only", "+ drift loss", "+ drift + joint predictor"];
            for (int v = 0; v < 3; v++)
            {
                double sec = Measure.Median(t[v]), flops = ts.StepFlops(v == 2), achieved = flops / sec / 1e9;
                rows.Add([w.Name, names[v], Ms(sec), F(w.Batch / sec, 1), F(flops / 1e9, 3), F(achieved, 1), Pct(achieved / warmGflops),
                    v == 0 ? "—" : Pct(v == 1 ? driftOverhead : jointOverhead)]);
                json.Add(new JsonObject
                {
                    ["preset"] = w.Name, ["variant"] = names[v], ["batch"] = w.Batch, ["median_s"] = sec, ["samples_per_s"] = w.Batch / sec,
                    ["gflop_per_step"] = flops / 1e9, ["gflops"] = achieved, ["utilisation"] = achieved / warmGflops,
                    ["overhead_vs_base"] = v == 0 ? 0 : v == 1 ? driftOverhead : jointOverhead, ["all_s"] = Node(t[v]),
                });
            }
            json.Add(new JsonObject
            {
                ["preset"] = w.Name, ["breakdown_forward_s"] = Measure.Median(fwd), ["breakdown_backward_s"] = Measure.Median(bwd),
                ["breakdown_optimizer_s"] = Measure.Median(opt), ["drift_isolated_s"] = Measure.Median(driftOnly),
                ["drift_isolated_fraction"] = driftIsolated, ["attention_share_of_forward_macs"] = TransformerFlops.AttentionShare(w.Config, w.LatentFrames, w.LatentHeight, w.LatentWidth, w.TextTokens),
                ["params"] = ts.Model.parameters().Sum(p => p.numel()), ["params_by_formula"] = TransformerFlops.ParameterCount(w.Config),
                ["video_tokens"] = w.VideoTokens, ["text_tokens"] = w.TextTokens,
            });
            _trainSamplesPerSecond[w.Name] = w.Batch / baseT;
            _r.Note($"{w.Name}: latent [{w.Batch}, {w.LatentFrames}, {w.Config.InChannels}, {w.LatentHeight}, {w.LatentWidth}], {w.VideoTokens} video + {w.TextTokens} text tokens, " +
                    $"D = {w.Config.InnerDim}, {w.Config.NumLayers} layers, {ts.Model.parameters().Sum(p => p.numel()):N0} parameters (formula: {TransformerFlops.ParameterCount(w.Config):N0}). " +
                    $"Step breakdown (base): forward + loss {Ms(Measure.Median(fwd))} ms, backward {Ms(Measure.Median(bwd))} ms, clip + AdamW {Ms(Measure.Median(opt))} ms. " +
                    $"Drift loss alone (forward + backward into x̂₀): {Ms(Measure.Median(driftOnly))} ms = {Pct(driftIsolated)} of the step.");
            if (w.Name == "small")
            {
                double util = Measure.Median(t[0]) is var s ? ts.StepFlops(false) / s / 1e9 / warmGflops : 0;
                var (q1, q3) = Measure.PairedQuartiles(pd[1], pd[0]);
                // Met when the paired overhead is ≤ 2 %, or when the drift loss's own cost is ≤ 2 % and the paired
                // overhead is not distinguishable from it (its interquartile range reaches down to 2 %).
                bool met = driftOverhead <= 0.02 || (driftIsolated <= 0.02 && q1 - 1 <= 0.02);
                _r.Target("drift loss ≤ 2 % of a training step (small)", "≤ 2 %", driftOverhead, met,
                    $"paired {Pct(driftOverhead)} (IQR {Pct(q1 - 1)} … {Pct(q3 - 1)}, {pd[0].Length} pairs); drift loss alone {Pct(driftIsolated)}");
                _r.Target("training utilisation ≥ 40 % of matmul (small)", "≥ 40 %", util, util >= 0.40,
                    $"{Pct(util)} ({F(ts.StepFlops(false) / Measure.Median(t[0]) / 1e9, 1)} of {F(warmGflops, 1)} GFLOP/s, warm matmul)");
            }
        }
        _r.Table(["preset", "variant", "median ms", "samples/s", "GFLOP/step", "GFLOP/s", "utilisation", "overhead"], rows);
        _r.Json["training"] = json;
    }

    // ---------------------------------------------------------------- 2. sampling step
    private void SamplingSection()
    {
        var big = Workload.CogVideoX2B;
        double bbFlops = big.BackboneSamplingFlops(), mpgFlops = big.GuidanceFlops(), ratio2B = mpgFlops / bbFlops;
        long params2B;
        using (var meta = new CogVideoXTransformer3DModel(big.Config, new ParameterOptions(META))) params2B = meta.parameters().Sum(p => p.numel());
        var matched = Workload.RatioMatched(ratio2B);
        int mpgGuided = SamplingStep.Steps - new MotionPriorGuidanceOptions().WindowStart(SamplingStep.Steps), flowGuided = new LaMo.Diffusion.Guidance.FlowMoOptions().GuidedSteps;

        _r.Section("2. Sampling step: Motion Prior Guidance and FlowMo",
            "One denoising step = CFG velocity (batch 2, no gradients) + guidance + DDIM step, at a step inside both guidance windows. " +
            $"Whole-run ratios assume 50 steps: MPG guides {mpgGuided} (ρ = 0.8), FlowMo the first {flowGuided} (1 iteration). " +
            "FLOP ratios: MPG = predictor forward + backward (3 × forward, MotionPriorFlops) on F−1 frames ÷ the CFG forward; " +
            "FlowMo = one more CFG forward + backward through the backbone (3 × forward), i.e. 4 × the unguided step.");
        _r.Note($"**CogVideoX-2B by FLOP count** (module definitions; {params2B:N0} parameters on `meta`, formula {TransformerFlops.ParameterCount(big.Config):N0}): " +
                $"latent 13×60×90 → {big.VideoTokens:N0} video + {big.TextTokens} text tokens; CFG forward = {F(bbFlops / 1e12, 1)} TFLOP per step " +
                $"(attention QKᵀ/A·V {Pct(TransformerFlops.AttentionShare(big.Config, 13, 60, 90, 226))} of it); MPG with the paper prior " +
                $"({MotionPriorFlops.ParameterCount(big.Prior):N0} parameters) on 12 frames of 60×90, forward + backward = {F(mpgFlops / 1e12, 2)} TFLOP; " +
                $"**ratio {Pct(ratio2B)} per guided step, {Pct(ratio2B * mpgGuided / SamplingStep.Steps)} over 50 steps**. " +
                $"FlowMo by FLOPs: 4.00× per guided step, {F(1 + 3.0 * flowGuided / SamplingStep.Steps)}× over 50 steps.");
        _r.Note($"**Ratio-matched preset** (constructed so MPG/backbone FLOPs ≈ the 2B ratio): transformer {matched.Config.NumAttentionHeads} heads × {matched.Config.AttentionHeadDim}, " +
                $"{matched.Config.NumLayers} layers, latent {matched.LatentFrames}×{matched.LatentHeight}×{matched.LatentWidth} ({matched.VideoTokens} + {matched.TextTokens} tokens); prior hidden " +
                $"{matched.Prior.HiddenChannels}, {matched.Prior.NumResBlocks} FiLM blocks; FLOP ratio {Pct(matched.GuidanceFlops() / matched.BackboneSamplingFlops())} (2B: {Pct(ratio2B)}).");
        _r.Json["cogvideox_2b_flops"] = new JsonObject
        {
            ["params_meta"] = params2B, ["params_formula"] = TransformerFlops.ParameterCount(big.Config), ["video_tokens"] = big.VideoTokens, ["text_tokens"] = big.TextTokens,
            ["cfg_forward_flops"] = bbFlops, ["attention_share"] = TransformerFlops.AttentionShare(big.Config, 13, 60, 90, 226),
            ["mpg_flops_per_guided_step"] = mpgFlops, ["predictor_params"] = MotionPriorFlops.ParameterCount(big.Prior),
            ["mpg_ratio_per_guided_step"] = ratio2B, ["mpg_ratio_whole_run"] = 1 + ratio2B * mpgGuided / SamplingStep.Steps,
            ["flowmo_ratio_per_guided_step"] = 4.0, ["flowmo_ratio_whole_run"] = 1 + 3.0 * flowGuided / SamplingStep.Steps,
        };

        var rows = new List<string[]>();
        var json = new JsonArray();
        foreach (var w in new[] { Workload.Tiny(1), Workload.Small(1), matched })
        {
            using var s = new SamplingStep(w);
            // Two interleaved pairs, so FlowMo's large backward never sits inside an MPG/unguided pair.
            var pm = Measure.Interleaved(Warmup, w.Name == "ratio-matched" ? 2 * Reps : Reps, () => s.Run(null), () => s.Run(s.Mpg));
            var pf = Measure.Interleaved(1, Math.Max(3, Reps / 2), () => s.Run(null), () => s.Run(s.FlowMo));
            var t = new[] { pm[0], pm[1], pf[1] };
            double mpgR = Measure.PairedRatio(pm[1], pm[0]), flowR = Measure.PairedRatio(pf[1], pf[0]);
            double flopR = w.GuidanceFlops() / w.BackboneSamplingFlops();
            double mpgRun = 1 + (mpgR - 1) * mpgGuided / SamplingStep.Steps, flowRun = 1 + (flowR - 1) * flowGuided / SamplingStep.Steps;
            rows.Add([w.Name, $"{w.VideoTokens}+{w.TextTokens}", Ms(Measure.Median(t[0])), Ms(Measure.Median(t[1])), Ms(Measure.Median(t[2])),
                F(mpgR, 3), F(1 + flopR, 3), F(mpgRun, 3), F(flowR, 2), F(flowRun, 2)]);
            json.Add(new JsonObject
            {
                ["preset"] = w.Name, ["video_tokens"] = w.VideoTokens, ["text_tokens"] = w.TextTokens, ["layers"] = w.Config.NumLayers,
                ["inner_dim"] = w.Config.InnerDim, ["prior_hidden"] = w.Prior.HiddenChannels, ["prior_blocks"] = w.Prior.NumResBlocks,
                ["unguided_s"] = Measure.Median(t[0]), ["mpg_s"] = Measure.Median(t[1]), ["flowmo_s"] = Measure.Median(t[2]),
                ["mpg_ratio_step"] = mpgR, ["mpg_flop_ratio_step"] = 1 + flopR, ["mpg_ratio_run"] = mpgRun,
                ["flowmo_ratio_step"] = flowR, ["flowmo_ratio_run"] = flowRun, ["backbone_gflop_per_step"] = w.BackboneSamplingFlops() / 1e9,
                ["unguided_all_s"] = Node(t[0]), ["mpg_all_s"] = Node(t[1]), ["flowmo_all_s"] = Node(t[2]), ["flowmo_pair_unguided_all_s"] = Node(pf[0]),
            });
            if (w.Name == "ratio-matched")
            {
                var mpgOnly = Measure.Repeat(Warmup, Reps, () => s.Mpg.Apply(s.Context()));
                _r.Note($"ratio-matched: the guidance call alone (prior forward + autograd.grad) takes {Ms(Measure.Median(mpgOnly))} ms " +
                        $"= {Pct(Measure.Median(mpgOnly) / Measure.Median(t[0]))} of the unguided step (FLOP share {Pct(flopR)}).");
                json.Add(new JsonObject { ["preset"] = w.Name, ["mpg_apply_only_s"] = Measure.Median(mpgOnly) });
                var (q1, q3) = Measure.PairedQuartiles(pm[1], pm[0]);
                _r.Target("MPG ≤ 5 % extra sampling time at the 2B FLOP ratio", "≤ 5 %", mpgR - 1, mpgR - 1 <= 0.05,
                    $"{Pct(mpgR - 1)} per guided step (IQR {Pct(q1 - 1)} … {Pct(q3 - 1)}, {pm[0].Length} pairs), {Pct(mpgRun - 1)} over 50 steps; " +
                    $"guidance call alone {Pct(Measure.Median(mpgOnly) / Measure.Median(t[0]))}; FLOPs {Pct(flopR)}");
            }
        }
        _r.Table(["preset", "tokens", "unguided ms", "MPG ms", "FlowMo ms", "MPG/unguided (step)", "by FLOPs", "MPG (50-step run)", "FlowMo/unguided (step)", "FlowMo (50-step run)"], rows);
        _r.Json["sampling"] = json;
    }
}
