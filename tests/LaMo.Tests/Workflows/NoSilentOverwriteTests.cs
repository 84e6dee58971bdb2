using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary>Commands that create a dataset, a pipeline or a cache never replace what is already in their output folder
/// unless asked, and never mix their files into a folder of other files. Every such refusal is a usage error: one line
/// naming the output, exit code 2 (README, "Exit codes").</summary>
[Collection("Torch")]
public sealed class NoSilentOverwriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-overwrite-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    private static string[] World(string folder, int seed, params string[] extra) =>
        ["world", "generate", "--scenarios", "s1", "--count", "2", "--size", "32", "--frames", "9", "--codec", "none", "--seed", seed.ToString(), "--out", folder, .. extra];

    [Fact]
    public void WorldGenerate_IntoAnEarlierDataset_IsRefusedUnlessOverwrite_WhichLeavesNoOrphans()
    {
        RelyKit.Ok(World(P("w"), 1));
        string metadata = File.ReadAllText(Path.Combine(P("w"), "metadata.csv"));
        File.WriteAllText(Path.Combine(P("w"), "orphan.json"), "{}");   // a file only the earlier dataset had

        var (rc, _, err) = RelyKit.Cli(World(P("w"), 2));
        Assert.Equal(2, rc);
        Assert.Contains($"{P("w")} already holds the output of an earlier world generate: pass --overwrite", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal(metadata, File.ReadAllText(Path.Combine(P("w"), "metadata.csv")));

        RelyKit.Ok(World(P("w"), 2, "--overwrite"));
        Assert.NotEqual(metadata, File.ReadAllText(Path.Combine(P("w"), "metadata.csv")));
        Assert.False(File.Exists(Path.Combine(P("w"), "orphan.json")));
    }

    [Fact]
    public void AFolderOfOtherFiles_IsRefusedEvenWithOverwrite_AndKeptIntact()
    {
        Directory.CreateDirectory(P("mine"));
        File.WriteAllText(Path.Combine(P("mine"), "notes.txt"), "keep me");
        foreach (var args in new[] { World(P("mine"), 1), World(P("mine"), 1, "--overwrite") })
        {
            var (rc, _, err) = RelyKit.Cli(args);
            Assert.Equal(2, rc);
            Assert.Contains(P("mine"), err);
        }
        var (rcEncode, _, errEncode) = RelyKit.Cli("encode", "--data", P("nowhere"), "--pipeline", P("nopipe"), "--out", P("mine"));
        Assert.Equal(2, rcEncode);
        Assert.Contains("is not empty and is not an output of encode (cache.json missing)", errEncode);
        var (rcInit, _, errInit) = RelyKit.Cli("pipeline", "init", "--out", P("mine"), "--vae", P("novae"));
        Assert.Equal(2, rcInit);
        Assert.Contains(P("mine"), errInit);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(P("mine")).Select(Path.GetFileName));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(P("mine"), "notes.txt")));
    }

    [Fact]
    public void Experiment_IntoANonEmptyFolder_IsRefusedInOneLineBeforeAnyWork_AndKeptIntact()
    {
        Directory.CreateDirectory(P("study"));
        File.WriteAllText(Path.Combine(P("study"), "report.md"), "an earlier report");
        foreach (var extra in new[] { Array.Empty<string>(), ["--overwrite"] })   // --overwrite replaces only a study run folder
        {
            var (rc, _, err) = RelyKit.Cli(["experiment", "--models", P("no-models"), "--out", P("study"), .. extra]);
            Assert.Equal(2, rc);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Contains($"{P("study")} is not empty", err);
        }
        Assert.Equal(["report.md"], Directory.GetFileSystemEntries(P("study")).Select(Path.GetFileName));

        // An earlier (here: interrupted) experiment run is named as such; --overwrite is the way to replace it.
        LaMo.Experiment.StudyRunFolder.Claim(P("earlier"), "experiment", overwrite: false);
        File.WriteAllText(Path.Combine(P("earlier"), "stale.txt"), "from the earlier run");
        var (rc2, _, err2) = RelyKit.Cli("experiment", "--models", P("no-models"), "--out", P("earlier"));
        Assert.Equal(2, rc2);
        Assert.Contains($"{P("earlier")} already holds the output of an earlier experiment: pass --overwrite", err2);
        Assert.True(File.Exists(Path.Combine(P("earlier"), "stale.txt")));
        LaMo.Experiment.StudyRunFolder.Claim(P("earlier"), "experiment", overwrite: true);
        Assert.Equal([LaMo.Experiment.StudyRunFolder.Marker], Directory.GetFileSystemEntries(P("earlier")).Select(Path.GetFileName));
    }

    [Fact]
    public void EveryCommandRefusingAnExistingOutput_ExitsWithTheUsageCode2_InOneLineNamingIt()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 4);
        RelyKit.Ok(World(P("world"), 1));
        string pipeline = RelyKit.Repo("models/demo/base");
        string HoldingARun(string name) { Directory.CreateDirectory(P(name)); File.WriteAllText(Path.Combine(P(name), "run.json"), "{}"); return P(name); }
        string HoldingVideos(string name) { Directory.CreateDirectory(P(name)); File.WriteAllText(Path.Combine(P(name), "p000_s0.mp4"), "x"); return P(name); }
        string Existing(string name) { File.WriteAllText(P(name), "{}"); return P(name); }
        var refusals = new (string Output, string[] Args)[]
        {
            (HoldingARun("train"), ["train", "--cache", cache, "--out", P("train"), "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}",
                "--set", "steps=1", "--set", "batch_size=2"]),
            (HoldingARun("prior"), ["prior", "train", "--cache", cache, "--out", P("prior"), "--set", "steps=1", "--set", "batch_size=2", "--set", "predictor_config=tiny"]),
            (HoldingARun("vae"), ["vae", "train", "--data", P("world"), "--out", P("vae"), "--steps", "1", "--batch-size", "2", "--frames", "9", "--size", "32"]),
            (HoldingVideos("videos"), ["sample", "--pipeline", pipeline, "--prompt", "a red ball", "--steps", "1", "--frames", "9", "--size", "32", "--out", P("videos")]),
            (Existing("eval.json"), ["eval", "physics", "--videos", Path.Combine(P("world"), "videos"), "--truth", Path.Combine(P("world"), "videos"),
                "--given-frames", "3", "--out", P("eval.json")]),
            (Existing("motion.json"), ["eval", "motion", Directory.GetFiles(Path.Combine(P("world"), "videos"))[0], "--out", P("motion.json")]),
        };
        foreach (var (output, args) in refusals)
        {
            var (rc, _, err) = RelyKit.Cli(args);
            Assert.True(rc == 2, $"{args[0]}: exit {rc}: {err}");
            Assert.Single(err.Trim().Split('\n'));
            Assert.Contains(output, err);
        }
    }
}
