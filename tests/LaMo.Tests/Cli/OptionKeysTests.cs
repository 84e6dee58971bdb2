using LaMo.Cli.Commands;
using LaMo.Training;
using Xunit;

namespace LaMo.Tests.Cli;

/// <summary>A user can find every training option: <c>--help</c> lists the keys with defaults and meanings read from the
/// options records, a wrong key gets a did-you-mean, a missing required one names its flag, and <c>--dry-run</c> prints
/// the resolved plan.</summary>
public sealed class OptionKeysTests
{
    [Fact]
    public void TrainHelp_ListsEveryKey_WithItsDefaultAndMeaning()
    {
        string help = RelyKit.Ok("train", "--help");
        foreach (var key in OptionKeys.Of<BackboneTrainingOptions>()) Assert.Contains($"  {key.Name}", help);
        Assert.Contains("cache (required): Latent cache folder", help);
        Assert.Contains("steps = 2000: Optimiser steps.", help);
        Assert.Contains("checkpoint_every = 200:", help);
        // A reference to another option is shown by its key, not its C# name.
        Assert.Contains("drift_lambda = unset: λ_drift, with drift_loss only (default 0.4).", help);
        Assert.Contains("predictor_config = \"small\":", RelyKit.Ok("prior", "train", "--help"));
    }

    [Fact]
    public void EveryKey_HasAMeaning()
    {
        Assert.All(OptionKeys.Of<BackboneTrainingOptions>(), k => Assert.False(string.IsNullOrWhiteSpace(k.Summary), k.Name));
        Assert.All(OptionKeys.Of<PredictorTrainingOptions>(), k => Assert.False(string.IsNullOrWhiteSpace(k.Summary), k.Name));
    }

    [Fact]
    public void AMisspelledKey_IsAnsweredWithTheClosestOne_AndTheValidKeys()
    {
        var (rc, _, err) = RelyKit.Cli("train", "--cache", "c", "--out", "o", "--set", "stpes=3");
        Assert.Equal(2, rc);
        Assert.Contains("unknown option 'stpes' (did you mean 'steps'?)", err);
        Assert.Contains("valid keys: cache, out,", err);
        Assert.DoesNotContain(".NET member", err);
    }

    [Fact]
    public void AMissingRequiredKey_NamesTheFlagThatGivesIt()
    {
        var (rc, _, err) = RelyKit.Cli("prior", "train", "--out", "o");
        Assert.Equal(2, rc);
        Assert.Contains("cache is required: give --cache", err);
        Assert.DoesNotContain("JSON deserialization", err);
    }

    [Fact]
    public void DryRun_PrintsTheResolvedPlan()
    {
        string dir = Directory.CreateTempSubdirectory("lamo-dryrun-").FullName;
        try
        {
            string cache = RelyKit.SyntheticCache(dir, clips: 2);
            string output = RelyKit.Ok("train", "--cache", cache, "--out", Path.Combine(dir, "run"), "--dry-run", "--drift-loss",
                "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}");
            Assert.Contains("train: plan {", output);
            Assert.Contains("\"drift\":{\"loss\":{\"lambda\":0.4", output);
            Assert.Contains("dry run, nothing was built", output);
            Assert.False(Directory.Exists(Path.Combine(dir, "run")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
