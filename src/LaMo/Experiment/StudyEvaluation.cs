using System.Security.Cryptography;
using LaMo.Evaluation.Motion;
using LaMo.Evaluation.Physics;

namespace LaMo.Experiment;

/// <summary>Turns a study's videos into figures: physics benchmark (variants + reference rows incl. the VAE floor), paired
/// bootstraps of each variant against the baseline (overall and per scenario and split), per-training-seed differences,
/// motion metrics and timings.</summary>
public static class StudyEvaluation
{
    /// <summary>Evaluates (see the type summary). Units pair by id across variants: same clip, training seed and noise seed.</summary>
    public static StudyResult Evaluate(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips, IReadOnlyList<StudyUnit> units,
        IReadOnlyDictionary<(string Variant, string Unit), Evaluation.FrameStack> videos, IReadOnlyDictionary<string, Evaluation.FrameStack> vaeRec,
        IReadOnlyDictionary<string, List<double>> seconds, IReadOnlyList<StageTiming> stages)
    {
        var variants = o.Variants;
        var byClip = clips.ToDictionary(c => c.Id);
        var benchClips = units.Select(u => new BenchmarkClip(u.Id, byClip[u.Clip].World)).ToArray();
        var methods = new Dictionary<string, Func<BenchmarkClip, Evaluation.FrameStack>>();
        foreach (var v in variants) methods[v] = c => videos[(v, c.Id)];
        var byHash = clips.ToDictionary(c => Hash(c.Render()), c => vaeRec[c.Id]);
        var physicsOptions = new PhysicsOptions { GivenFrames = o.GivenFrames, BootstrapResamples = o.BootstrapResamples };
        var physics = PhysicsBenchmark.Run(benchClips, methods, physicsOptions, references: true, vaeRoundTrip: gt => byHash[Hash(gt)]);

        var versus = new List<GroupComparison>();
        var perSeed = new List<SeedDifference>();
        var baseRow = physics.Rows.First(r => r.Method == StudyVariant.BaselineName);
        var unitSeed = units.ToDictionary(u => u.Id, u => u.TrainSeed);
        foreach (var v in variants.Skip(1))
        {
            var row = physics.Rows.First(r => r.Method == v);
            foreach (var (scenario, split) in Groups(row.Clips))
            {
                bool Keep(ClipPhysicsResult r) => (scenario == "all" || r.Scenario == scenario) && (split == "all" || r.Split == split);
                var a = row.Clips.Where(Keep).ToArray();
                var b = baseRow.Clips.Where(Keep).ToArray();
                foreach (var m in StudyResult.ComparedMetrics)
                    versus.Add(new GroupComparison(scenario, split, PairedBootstrap.Compare(m, v, a, StudyVariant.BaselineName, b, o.BootstrapResamples, physicsOptions.BootstrapSeed)));
            }
            foreach (var seed in models.Pairs.Select(p => p.Seed))
                foreach (var m in StudyResult.ComparedMetrics)
                {
                    var sel = ClipPhysicsResult.Selector(m);
                    var baseById = baseRow.Clips.ToDictionary(r => r.ClipId);
                    var diffs = row.Clips.Where(r => unitSeed[r.ClipId] == seed)
                        .Select(r => (A: sel(r), B: sel(baseById[r.ClipId]))).Where(p => p.A is not null && p.B is not null)
                        .Select(p => p.A!.Value - p.B!.Value).ToArray();
                    perSeed.Add(new SeedDifference(v, seed, m, diffs.Length, diffs.Length == 0 ? double.NaN : diffs.Average()));
                }
        }

        var motion = Motion(variants, units, clips, videos, vaeRec, o.GivenFrames);
        double baseSeconds = seconds.TryGetValue(StudyVariant.BaselineName, out var bs) && bs.Count > 0 ? bs.Average() : double.NaN;
        var timing = variants.Where(seconds.ContainsKey).Select(v => new VariantTiming(v, seconds[v].Count, seconds[v].Average(), seconds[v].Average() / baseSeconds)).ToArray();
        return new StudyResult(o, Machine(), models.Base, models.Pairs, units, physics, versus, perSeed, motion, timing, stages, Notes(o, models, clips));
    }

    // "all/all" first, then per split, per scenario, per (scenario, split).
    private static IEnumerable<(string Scenario, string Split)> Groups(IReadOnlyList<ClipPhysicsResult> rows)
    {
        yield return ("all", "all");
        foreach (var sp in rows.Select(r => r.Split).Distinct().Order(StringComparer.Ordinal)) yield return ("all", sp);
        foreach (var sc in rows.Select(r => r.Scenario).Distinct().Order(StringComparer.Ordinal))
        {
            yield return (sc, "all");
            foreach (var sp in rows.Where(r => r.Scenario == sc).Select(r => r.Split).Distinct().Order(StringComparer.Ordinal)) yield return (sc, sp);
        }
    }

    private static List<MotionRow> Motion(IReadOnlyList<string> variants, IReadOnlyList<StudyUnit> units, IReadOnlyList<StudyClip> clips,
        IReadOnlyDictionary<(string, string), Evaluation.FrameStack> videos, IReadOnlyDictionary<string, Evaluation.FrameStack> vaeRec, int given)
    {
        var options = new MotionOptions();
        var rows = new List<MotionRow>();
        foreach (var v in variants)
        {
            var e = new MotionEvaluator(options);
            foreach (var u in units) e.Update(u.Id, videos[(v, u.Id)]);
            rows.Add(MotionRow.Of(v, e.Compute()));
        }
        var refs = new (string Name, Func<StudyClip, Evaluation.FrameStack> Video)[]
        {
            (ReferenceVideos.GroundTruthName, c => c.Render()),
            (ReferenceVideos.VaeName, c => vaeRec[c.Id]),
            (ReferenceVideos.CopyLastName, c => ReferenceVideos.CopyLastGiven(c.World, given)),
            (ReferenceVideos.ConstantVelocityName, c => ReferenceVideos.ConstantVelocity(c.World, given)),
        };
        foreach (var (name, video) in refs)
        {
            var e = new MotionEvaluator(options);
            foreach (var c in clips) e.Update(c.Id, video(c));
            rows.Add(MotionRow.Of(name, e.Compute()));
        }
        return rows;
    }

    private static List<string> Notes(StudyOptions o, StudyModels models, IReadOnlyList<StudyClip> clips)
    {
        var notes = new List<string>
        {
            "Bootstrap: units (clip × training seed × sampling seed) are resampled with replacement, each unit's variant and baseline kept together; seeds are treated as independent units, which understates between-seed variance: read the per-seed table too.",
            "Reference rows (gt_floor, vae_floor, copy_last, const_velocity) repeat per seed; their values do not depend on the seed.",
        };
        if (models.Pairs.Count < 3) notes.Add($"Only {models.Pairs.Count} training seed(s): docs/physics-benchmark.md asks for at least 3 before claiming an improvement.");
        int minGroup = clips.GroupBy(c => (c.World.Scenario, c.World.Split)).Min(g => g.Count());
        if (minGroup < 256) notes.Add($"Small sample: as few as {minGroup} clip(s) per (scenario, split); reported figures in docs/physics-benchmark.md need 256. Treat CIs as indicative.");
        if (o.Variants.Contains("flowmo")) notes.Add("flowmo: FlowMo guidance (released defaults, guided window scaled to round(12/50·S) of S steps) on the ft-baseline LoRA.");
        return notes;
    }

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, TorchSharp-cpu";

    private static string Hash(Evaluation.FrameStack v) => Convert.ToHexString(SHA256.HashData(v.Data));
}
