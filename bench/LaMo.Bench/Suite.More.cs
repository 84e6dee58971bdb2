using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Models.CogVideoXVae;
using LaMo.Video;
using LaMo.World;
using ScottPlot;
using static TorchSharp.torch;
using static LaMo.Bench.Report;

namespace LaMo.Bench;

internal sealed partial class Suite
{
    // ---------------------------------------------------------------- 3. TorchSharp vs PyTorch
    private void PyTorchSection()
    {
        _r.Section("3. TorchSharp vs PyTorch (same model, same batch, same threads)",
            "bench/pytorch/tiny_cogvideox.py re-implements the block (expert AdaLN, joint attention with qk-norm and RoPE, GELU-tanh FF) " +
            "in PyTorch; it runs under Debian's python3-torch with torch.set_num_threads(" + o.Threads + "). Training step at batch 4 (forward, x₀ loss, backward, " +
            "clip, AdamW); sampling step = CFG forward at batch 2 + DDIM step. The C# side is measured immediately before, with the same warm-up and repetitions. " +
            "Ratio = TorchSharp time ÷ PyTorch time (< 1: TorchSharp faster).");
        var rows = new List<string[]>();
        var json = new JsonArray();
        foreach (var (train, sample) in new[] { (Workload.Tiny(4), Workload.Tiny(1)), (Workload.Small(4), Workload.Small(1)) })
        {
            double csTrain, csSample;
            using (var ts = new TrainingStep(train)) csTrain = Measure.Median(Measure.Repeat(Warmup, Reps, () => ts.Run(false, false)));
            using (var ss = new SamplingStep(sample)) csSample = Measure.Median(Measure.Repeat(Warmup, Reps, () => ss.Run(null)));
            JsonNode py;
            try
            {
                var stdout = MachineInfo.Run(o.Python, [Paths.Repo("bench/pytorch/tiny_cogvideox.py"), "--config", train.Config.ToJson(), "--batch", train.Batch.ToString(),
                    "--latent", train.LatentFrames.ToString(), train.LatentHeight.ToString(), train.LatentWidth.ToString(),
                    "--threads", o.Threads.ToString(), "--warmup", Warmup.ToString(), "--reps", Reps.ToString()], TimeSpan.FromMinutes(20));
                py = JsonNode.Parse(stdout.Trim().Split('\n').Last())!;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
            {
                _r.Note($"PyTorch run failed for {train.Name}: {e.Message.Split('\n')[0]} (install Debian's python3-torch: apt-get install -y python3-torch)");
                continue;
            }
            double pyTrain = py["train_step_s"]!.GetValue<double>(), pySample = py["sample_step_s"]!.GetValue<double>();
            rows.Add([train.Name, "training step (B=4)", Ms(csTrain), Ms(pyTrain), F(csTrain / pyTrain, 2)]);
            rows.Add([train.Name, "sampling step (CFG, B=1)", Ms(csSample), Ms(pySample), F(csSample / pySample, 2)]);
            json.Add(new JsonObject
            {
                ["preset"] = train.Name, ["torchsharp_train_s"] = csTrain, ["pytorch_train_s"] = pyTrain, ["train_ratio"] = csTrain / pyTrain,
                ["torchsharp_sample_s"] = csSample, ["pytorch_sample_s"] = pySample, ["sample_ratio"] = csSample / pySample,
                ["pytorch"] = py,
            });
            if (train.Name == "tiny")
            {
                _r.Note($"PyTorch {py["torch_version"]} ({py["threads"]} threads, fused SDPA: {py["fused_sdpa"]}, {py["params"]} parameters).");
                _r.Target("TorchSharp/PyTorch training step ≤ 1.0 (tiny)", "≤ 1.0", csTrain / pyTrain, csTrain / pyTrain <= 1.0, F(csTrain / pyTrain));
                _r.Target("TorchSharp/PyTorch sampling step ≤ 1.0 (tiny)", "≤ 1.0", csSample / pySample, csSample / pySample <= 1.0, F(csSample / pySample));
            }
        }
        _r.Table(["preset", "step", "TorchSharp ms", "PyTorch ms", "ratio"], rows);
        _r.Json["pytorch_comparison"] = json;
    }

    // ---------------------------------------------------------------- 4. VAE
    private void VaeSection()
    {
        int size = 128, reps = o.Quick ? 1 : 3;
        int[] frames = o.Quick ? [9, 49] : [9, 17, 33, 49];
        _r.Section("4. VAE encode / decode vs frame count (tiny VAE)",
            $"configs/tiny/vae (block_out [32, 64, 64], ×4 spatial, ×4 temporal), {size}×{size} frames, one child process per measurement; " +
            "peak = VmHWM of the child (includes the .NET runtime and LibTorch, ≈ the RSS before the call), growth = VmHWM − RSS before the call. " +
            $"Time = median of {reps} calls after the first.");
        var rows = new List<string[]>();
        var results = new List<VaeChild.Result>();
        foreach (var op in new[] { "encode", "decode" })
            foreach (int f in frames)
            {
                var res = VaeChild.Launch(op, f, size, reps, o.Threads);
                results.Add(res);
                rows.Add([op, f.ToString(), res.LatentFrames.ToString(), Ms(res.Seconds), F(f / res.Seconds, 1), F(res.RssBeforeMb, 0), F(res.PeakMb, 0), F(res.GrowthMb, 0)]);
            }
        _r.Table(["op", "frames", "latent frames", "ms", "frames/s", "RSS before MB", "peak MB", "growth MB"], rows);
        _r.Json["vae"] = Node(results);
        var d9 = results.First(x => x.Op == "decode" && x.Frames == 9);
        var d49 = results.First(x => x.Op == "decode" && x.Frames == 49);
        double ratio = d49.PeakMb / d9.PeakMb, growthRatio = d49.GrowthMb / Math.Max(d9.GrowthMb, 1e-9);
        _r.Target("VAE decode peak at 49 frames ≤ 1.5 × at 9 frames", "≤ 1.5×", ratio, ratio <= 1.5,
            $"{F(ratio)}× ({F(d49.PeakMb, 0)} vs {F(d9.PeakMb, 0)} MB; growth over baseline {F(growthRatio)}×: {F(d49.GrowthMb, 0)} vs {F(d9.GrowthMb, 0)} MB)");
    }

    // ---------------------------------------------------------------- 5. data pipeline
    private void DataSection()
    {
        int n = o.Quick ? 8 : 40, size = 64, frames = 17;
        _r.Section("5. Data pipeline vs training consumption",
            $"World clips of {size}×{size}×{frames} (what the demo trains on). Generation = simulate + caption + render in memory, all cores, best of 3 runs of 1000 clips; " +
            "mp4 = the full `world generate` path (H.264 + GT JSON on disk); decode = VideoDecoder.Decode + VideoTensor.FromFrames " +
            "(1 thread, and 2 threads); latent = decode + tiny-VAE encode (what a latent cache build does per clip). " +
            "A training step consumes `batch` samples of cached latents; headroom = producer clips/s ÷ training samples/s.");
        var scenarios = ScenarioNames.All;
        var ranges = SplitRanges.Standard("train");
        ClipSpec Spec(int i) => new(scenarios[i % scenarios.Count], ranges, WorldGenerator.ClipSeed(1, "train", scenarios[i % scenarios.Count], i), size, size, frames);
        // Generation: best of 3 runs of 1000 clips (all scenarios round-robin), v1 and the world v2 mixed preset.
        double GenRate(WorldConditionOptions? conditions)
        {
            int count = o.Quick ? 100 : 1000;
            ClipSpec At(int i) => Spec(i) with { Conditions = conditions };
            Parallel.For(0, 16, i => Renderer.Render(WorldGenerator.Generate(At(i))));   // warm-up (JIT)
            double best = 0;
            for (var rep = 0; rep < 3; rep++)
            {
                var t = Stopwatch.StartNew();
                Parallel.For(0, count, i => Renderer.Render(WorldGenerator.Generate(At(i))));
                best = Math.Max(best, count / t.Elapsed.TotalSeconds);
            }
            return best;
        }
        double genRate = GenRate(null), genMixed = GenRate(new WorldConditionOptions("mixed"));
        var sw = Stopwatch.StartNew();

        var dir = Path.Combine(Path.GetTempPath(), "lamo-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            int per = Math.Max(1, n / scenarios.Count);
            sw.Restart();
            var rowsMeta = WorldDatasetWriter.Write(new WorldDatasetOptions(dir, scenarios, per, ranges, 1, size, frames));
            double writeRate = rowsMeta.Count / sw.Elapsed.TotalSeconds;
            var files = rowsMeta.Select(r => Path.Combine(dir, r[0])).Where(f => f.EndsWith(".mp4", StringComparison.Ordinal)).ToList();
            if (files.Count == 0) throw new InvalidOperationException("no mp4 written (ffmpeg/OpenCV missing?)");
            void DecodeOne(string f) { using var scope = NewDisposeScope(); VideoTensor.FromFrames(VideoDecoder.Decode(f)); }
            DecodeOne(files[0]);
            sw.Restart();
            foreach (var f in files) DecodeOne(f);
            double decode1 = files.Count / sw.Elapsed.TotalSeconds;
            sw.Restart();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, DecodeOne);
            double decode2 = files.Count / sw.Elapsed.TotalSeconds;

            var vaeConfig = AutoencoderKLCogVideoXConfig.Load(Paths.Repo("configs/tiny/vae/config.json"));
            using var vae = new AutoencoderKLCogVideoX(vaeConfig);
            vae.eval();
            var encodeTimes = Measure.Repeat(1, Math.Min(files.Count, o.Quick ? 2 : 8), () =>
            {
                using var noGrad = no_grad();
                var video = VideoTensor.FromFrames(VideoDecoder.Decode(files[0]));
                var x = video.ndim == 4 ? video.permute(1, 0, 2, 3).unsqueeze(0) : video;   // → [1, 3, F, H, W]
                vae.Encode(x.to_type(ScalarType.Float32)).Mean.Dispose();
            });
            double latentRate = 1 / Measure.Median(encodeTimes);

            // What a training step actually reads: B items stacked from the in-memory latent cache (LatentCache.Batch).
            var items = Enumerable.Range(0, 64).Select(_ => (randn(new long[] { 5, 16, 16, 16 }).DetachFromDisposeScope(),
                randn(new long[] { 32, 64 }).DetachFromDisposeScope(), ones(new long[] { 32 }).DetachFromDisposeScope())).ToList();
            var rng = new Random(0);
            var batchTimes = Measure.Repeat(10, 200, () =>
            {
                var idx = Enumerable.Range(0, 4).Select(_ => rng.Next(items.Count)).ToList();
                stack(idx.Select(i => items[i].Item1)); stack(idx.Select(i => items[i].Item2)); stack(idx.Select(i => items[i].Item3));
            });
            double cacheRate = 4 / Measure.Median(batchTimes);
            foreach (var it in items) { it.Item1.Dispose(); it.Item2.Dispose(); it.Item3.Dispose(); }

            var rows = new List<string[]>
            {
                new[] { "latent cache batch (stack 4 cached latents + prompts; what training reads)", F(cacheRate, 0) },
                new[] { "world generation (simulate + render, in memory)", F(genRate, 1) },
                new[] { "world v2 generation, mixed preset (simulate + render, in memory)", F(genMixed, 1) },
                new[] { "world generate → mp4 + GT JSON on disk", F(writeRate, 1) },
                new[] { "decode mp4 → tensor, 1 thread", F(decode1, 1) },
                new[] { "decode mp4 → tensor, 2 threads", F(decode2, 1) },
                new[] { "decode + tiny-VAE encode → latent, 1 clip at a time", F(latentRate, 1) },
            };
            foreach (var (name, sps) in _trainSamplesPerSecond)
                rows.Add([$"training consumes ({name}, batch 4, base step)", F(sps, 1)]);
            _r.Table(["stage", "clips/s"], rows);
            var json = new JsonObject
            {
                ["clip"] = $"{size}x{size}x{frames}", ["generation_clips_per_s"] = genRate, ["generation_mixed_clips_per_s"] = genMixed, ["generate_mp4_clips_per_s"] = writeRate,
                ["decode_clips_per_s_1thread"] = decode1, ["decode_clips_per_s_2threads"] = decode2, ["decode_encode_latent_clips_per_s"] = latentRate,
                ["training_samples_per_s"] = Node(_trainSamplesPerSecond),
                ["latent_cache_batch_samples_per_s"] = cacheRate,
            };
            _r.Json["data_pipeline"] = json;
            _r.Target("world v2 generation (mixed preset) ≥ 500 clips/s in memory", "≥ 500", genMixed, genMixed >= 500,
                $"{F(genMixed, 0)} clips/s (v1 {F(genRate, 0)})");
            foreach (var (name, sps) in _trainSamplesPerSecond)
                _r.Note($"{name}: headroom decode (1 thread) {F(decode1 / sps, 1)}×, world generation {F(genRate / sps, 1)}×, decode + VAE encode {F(latentRate / sps, 1)}×.");
            if (_trainSamplesPerSecond.Count > 0)
            {
                double worst = _trainSamplesPerSecond.Values.Max();
                _r.Target("training loader (latent cache) never the bottleneck", "≥ 1×", cacheRate / worst, cacheRate >= worst,
                    $"{F(cacheRate / worst, 0)}× the fastest consumer ({F(worst, 1)} samples/s)");
                foreach (var (name, sps) in _trainSamplesPerSecond)
                {
                    double minProducer = Math.Min(decode1, genRate);
                    _r.Target($"clip decode and world generation keep up with training ({name})", "≥ 1×", minProducer / sps, minProducer >= sps,
                        $"{F(minProducer / sps, 1)}× (decode {F(decode1, 0)}, generation {F(genRate, 0)} clips/s vs {F(sps, 1)} samples/s)");
                }
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    // ---------------------------------------------------------------- 6. scaling
    private void ScalingSection()
    {
        var w = Workload.Small(1);
        int[] framesSeries = o.Quick ? [2, 5] : [2, 3, 5, 9, 13];
        int[] resSeries = o.Quick ? [8, 16] : [8, 16, 24, 32, 40];
        _r.Section("6. Scaling: sampling-step time vs token count (small preset, CFG batch 2, unguided)",
            "Frames series: latent 16×16, latent frames varied; resolution series: 5 latent frames, latent side varied. Plot: bench/scaling.png (log-log).");
        var points = new List<(string Series, int F, int H, long Tokens, double Seconds, double Gflops)>();
        foreach (var (series, f, h) in framesSeries.Select(f => ("frames", f, 16)).Concat(resSeries.Select(h => ("resolution", 5, h))))
        {
            using var s = new SamplingStep(w, h, h, f);
            double sec = Measure.Median(Measure.Repeat(Warmup, Math.Max(3, Reps / 3), () => s.Run(null)));
            points.Add((series, f, h, s.W.VideoTokens + s.W.TextTokens, sec, s.BackboneFlops / sec / 1e9));
        }
        _r.Table(["series", "latent F×H×W", "tokens (video + text)", "step ms", "GFLOP/s"],
            points.Select(p => (IReadOnlyList<string>)[p.Series, $"{p.F}×{p.H}×{p.H}", p.Tokens.ToString(), Ms(p.Seconds), F(p.Gflops, 1)]));
        // log-log slope over all points
        var xs = points.Select(p => Math.Log(p.Tokens)).ToArray(); var ys = points.Select(p => Math.Log(p.Seconds)).ToArray();
        double mx = xs.Average(), my = ys.Average();
        double slope = xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / xs.Sum(x => (x - mx) * (x - mx));
        _r.Note($"Fitted time ∝ tokens^{F(slope, 2)} over {points.Min(p => p.Tokens)}–{points.Max(p => p.Tokens)} tokens.");
        _r.Json["scaling"] = Node(points.Select(p => new { p.Series, Frames = p.F, Side = p.H, p.Tokens, p.Seconds, p.Gflops }).ToList());
        _r.Json["scaling_loglog_slope"] = slope;

        var plot = new Plot();
        foreach (var series in new[] { "frames", "resolution" })
        {
            var ps = points.Where(p => p.Series == series).OrderBy(p => p.Tokens).ToArray();
            var sc = plot.Add.Scatter(ps.Select(p => Math.Log10(p.Tokens)).ToArray(), ps.Select(p => Math.Log10(p.Seconds * 1e3)).ToArray());
            sc.LegendText = series == "frames" ? "vary frames (16×16 latent)" : "vary resolution (5 latent frames)";
        }
        plot.Title("LaMo sampling step (small preset, CFG) — TorchSharp CPU");
        plot.XLabel("tokens (video + text), log10");
        plot.YLabel("step time ms, log10");
        plot.ShowLegend();
        Directory.CreateDirectory(o.OutDir);
        var png = Path.Combine(o.OutDir, "scaling.png");
        plot.SavePng(png, 800, 500);
        _r.Md.AppendLine("![sampling-step scaling](scaling.png)").AppendLine();
    }

    // ---------------------------------------------------------------- 7. OpenMP wait policy
    private void OmpSection()
    {
        double secs = o.Quick ? 4 : 10;
        _r.Section("7. OpenMP wait policy (libgomp spin vs OMP_WAIT_POLICY=PASSIVE)",
            $"Each cell is a child process looping the step for {secs:F0} s (median step time); libgomp reads the policy at start-up, so it cannot be switched in-process. " +
            "Load at the time: " + MachineInfo.LoadAverage() + ".");
        var self = Environment.ProcessPath!;
        var prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new List<string> { typeof(Suite).Assembly.Location } : [];
        var rows = new List<string[]>();
        var json = new JsonArray();
        foreach (var (kind, preset) in new[] { ("train", "tiny"), ("train", "small"), ("sample", "tiny"), ("sample", "small") })
        {
            double Child(bool passive)
            {
                var args = new List<string>(prefix) { "loop", kind, preset, secs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                if (!passive) args.Add("--omp-default");
                var env = new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = passive ? "PASSIVE" : null, ["GOMP_SPINCOUNT"] = null };
                var line = MachineInfo.Run(self, args, TimeSpan.FromMinutes(5), env).Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
                return double.Parse(line["RESULT ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            double spin = Child(false), passive = Child(true);
            rows.Add([kind, preset, Ms(spin), Ms(passive), F(spin / passive, 2)]);
            json.Add(new JsonObject { ["step"] = kind, ["preset"] = preset, ["spin_s"] = spin, ["passive_s"] = passive });
        }
        _r.Table(["step", "preset", "spin (default) ms", "PASSIVE ms", "spin / passive"], rows);
        _r.Json["omp_wait_policy"] = json;
    }

    // ---------------------------------------------------------------- report
    private void Write(double seconds)
    {
        var m = _machine;
        var head = new System.Text.StringBuilder();
        head.AppendLine("# LaMo for .NET — performance benchmark (issue 8)").AppendLine();
        head.AppendLine($"Generated by `bench/LaMo.Bench` (`dotnet run -c Release --project bench/LaMo.Bench -- all{(o.Quick ? " --quick" : "")}`) on {m.StartedUtc}, run time {F(seconds / 60, 1)} min." +
                        (o.Quick ? " **Quick mode: development numbers, not the reported ones.**" : "")).AppendLine();
        head.AppendLine("| machine | |").AppendLine("|---|---|");
        head.AppendLine($"| CPU | {m.CpuModel} |");
        head.AppendLine($"| logical cores | {m.LogicalCores} |");
        head.AppendLine($"| OS / .NET | {m.Os} / {m.DotNet} |");
        head.AppendLine($"| TorchSharp / LibTorch | {m.TorchSharp} / {m.LibTorch} (CPU) |");
        head.AppendLine($"| torch threads | {m.TorchThreads} |");
        head.AppendLine($"| OpenMP wait policy | {m.OmpWaitPolicy} |");
        head.AppendLine($"| load average (1/5/15 min) at start / end | {m.LoadAverageStart} / {m.LoadAverageEnd} |");
        head.AppendLine($"| demo training job running at start / end | {(m.DemoTrainingRunningAtStart ? "yes" : "no")} / {(m.DemoTrainingRunningAtEnd == true ? "yes" : "no")} |");
        head.AppendLine($"| fp32 1024³ matmul at start / end | {F(m.MatmulGflops, 1)} / {F(m.MatmulGflopsEnd ?? double.NaN, 1)} GFLOP/s |").AppendLine();
        head.AppendLine("Times are medians after warm-up; every iteration runs in its own `torch.NewDisposeScope()`.").AppendLine();
        head.AppendLine("## Targets").AppendLine();
        head.AppendLine("| target | limit | measured | result |").AppendLine("|---|---|---|---|");
        foreach (var t in _r.Targets) head.AppendLine($"| {t.Target} | {t.Limit} | {t.Measured} | {(t.Met ? "**met**" : "**missed**")} |");
        Directory.CreateDirectory(o.OutDir);
        File.WriteAllText(Path.Combine(o.OutDir, "results.md"), head.ToString() + _r.Md.ToString());
        _r.Json["machine"] = Node(m);
        _r.Json["targets"] = Node(_r.Targets);
        _r.Json["quick"] = o.Quick;
        _r.Json["run_seconds"] = seconds;
        File.WriteAllText(Path.Combine(o.OutDir, "results.json"), _r.Json.ToJsonString(JsonOptions));
        Console.WriteLine($"wrote {Path.Combine(o.OutDir, "results.md")} and results.json");
    }
}
