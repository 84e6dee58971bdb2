using Xunit;

namespace LaMo.Tests.Cli;

/// <summary><c>lamo inspect</c> reads what the project writes (a latent cache, a training checkpoint) and says plainly
/// when it is given something else.</summary>
[Collection("Torch")]
public sealed class InspectCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-inspect-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void ACacheFolder_ListsEachShard_WithLongMetadataShortened()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 6);   // shards of 4: two shard files and the empty prompt
        string output = RelyKit.Ok("inspect", cache);
        Assert.Contains("== shard-00000.safetensors:", output);
        Assert.Contains("== shard-00001.safetensors:", output);
        Assert.Contains("== empty_prompt.safetensors:", output);
        Assert.All(output.Split('\n'), line => Assert.True(line.Length < 300, line[..Math.Min(80, line.Length)]));
    }

    [Fact]
    public void ACheckpointFolder_ListsEachGroup()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2);
        string run = Path.Combine(_dir, "run");
        RelyKit.Ok("train", "--cache", cache, "--out", run, "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}",
            "--set", "steps=1", "--set", "batch_size=2");
        string output = RelyKit.Ok("inspect", Path.Combine(run, "checkpoints", "step-000001"));
        Assert.Contains("== transformer.safetensors:", output);
        Assert.Contains("== optimizer.safetensors:", output);
    }

    [Fact]
    public void AJsonFile_IsNamedNotASafetensorsFile()
    {
        string json = Path.Combine(_dir, "run.json");
        File.WriteAllText(json, "{\"plan\": {}}");
        var (rc, _, err) = RelyKit.Cli("inspect", json);
        Assert.Equal(1, rc);
        Assert.Contains($"{json}: not a safetensors file (it is JSON)", err);
        Assert.DoesNotContain("header length", err);
    }
}
