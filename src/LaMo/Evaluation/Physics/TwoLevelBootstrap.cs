namespace LaMo.Evaluation.Physics;

/// <summary>One paired unit of a study: arm − baseline on one clip, under one training seed, in one group (condition).</summary>
/// <param name="TrainSeed">Training seed.</param>
/// <param name="Group">Condition (pooled figures weigh groups equally).</param>
/// <param name="Difference">Arm − baseline.</param>
public readonly record struct PairedDifference(int TrainSeed, string Group, double Difference);

/// <summary>A two-level bootstrap interval with the per-seed means it should be read beside.</summary>
/// <param name="Units">Paired units.</param>
/// <param name="Mean">Point estimate: the mean over groups of each group's mean difference.</param>
/// <param name="Low">Lower percentile bound.</param>
/// <param name="High">Upper percentile bound.</param>
/// <param name="Level">Coverage (0.95, or 1 − 0.05/12 for a Bonferroni family of 12).</param>
/// <param name="SeedMeans">Per training seed, the same statistic on that seed's units alone.</param>
/// <param name="Resamples">Bootstrap resamples.</param>
/// <param name="Seed">Random seed of the resampling.</param>
public sealed record TwoLevelInterval(int Units, double Mean, double Low, double High, double Level,
    IReadOnlyDictionary<int, double> SeedMeans, int Resamples, int Seed)
{
    /// <summary>The interval lies entirely on one side of zero.</summary>
    public bool ExcludesZero => Low > 0 || High < 0;
}

/// <summary>Paired bootstrap over training seeds, then clips (docs/results/study-v2.md, "Seeds and the bootstrap"): draw
/// the seeds with replacement; within each drawn seed and group, draw that seed's clips of the group with replacement;
/// the statistic weighs groups equally and, within a group, every drawn (seed, clip) unit equally.</summary>
public static class TwoLevelBootstrap
{
    /// <summary>Percentile interval of <paramref name="level"/> coverage.</summary>
    /// <exception cref="ArgumentException">No units, a level outside (0, 1), or fewer than 10 resamples.</exception>
    public static TwoLevelInterval Compute(IReadOnlyList<PairedDifference> units, double level = 0.95, int resamples = 10_000, int seed = 1234)
    {
        if (units.Count == 0) throw new ArgumentException("no paired units", nameof(units));
        if (!(level > 0 && level < 1)) throw new ArgumentException($"level ({level}) must be in (0, 1)", nameof(level));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        var seeds = units.Select(u => u.TrainSeed).Distinct().Order().ToArray();
        var groups = units.Select(u => u.Group).Distinct().Order(StringComparer.Ordinal).ToArray();
        // cells[s][g]: the differences of seed s in group g (empty when that seed has none there).
        var cells = seeds.Select(s => groups.Select(g => units.Where(u => u.TrainSeed == s && u.Group == g).Select(u => u.Difference).ToArray()).ToArray()).ToArray();

        var rng = new Random(seed);
        var stats = new double[resamples];
        var sums = new double[groups.Length];
        var counts = new int[groups.Length];
        for (int k = 0; k < resamples; k++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (int d = 0; d < seeds.Length; d++)
            {
                var drawn = cells[rng.Next(seeds.Length)];
                for (int g = 0; g < groups.Length; g++)
                {
                    var cell = drawn[g];
                    for (int i = 0; i < cell.Length; i++) sums[g] += cell[rng.Next(cell.Length)];
                    counts[g] += cell.Length;
                }
            }
            stats[k] = GroupMean(sums, counts);
        }
        Array.Sort(stats);
        double alpha = (1 - level) / 2;
        var seedMeans = seeds.Select((s, i) => (s, Mean: Statistic(cells[i]))).ToDictionary(x => x.s, x => x.Mean);
        return new TwoLevelInterval(units.Count, Statistic(cells), Percentile(stats, alpha), Percentile(stats, 1 - alpha), level, seedMeans, resamples, seed);
    }

    /// <summary>The statistic on the data as observed (every seed once, every clip once).</summary>
    private static double Statistic(params double[][][] cells)
    {
        int groups = cells[0].Length;
        var sums = new double[groups];
        var counts = new int[groups];
        foreach (var seedCells in cells)
            for (int g = 0; g < groups; g++)
            {
                sums[g] += seedCells[g].Sum();
                counts[g] += seedCells[g].Length;
            }
        return GroupMean(sums, counts);
    }

    private static double Statistic(double[][] oneSeed) => Statistic([oneSeed]);

    // Mean over the groups that have units of their mean; a resample where a group drew no unit leaves it out.
    private static double GroupMean(double[] sums, int[] counts)
    {
        double total = 0;
        int used = 0;
        for (int g = 0; g < sums.Length; g++)
            if (counts[g] > 0) { total += sums[g] / counts[g]; used++; }
        return used == 0 ? double.NaN : total / used;
    }

    // Linear interpolation between order statistics (numpy's default), as PairedBootstrap.
    private static double Percentile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
