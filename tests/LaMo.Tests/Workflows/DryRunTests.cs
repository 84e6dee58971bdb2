using Xunit;

namespace LaMo.Tests.Workflows;

/// <summary><c>lamo train --dry-run</c>: the estimate from configs and cache alone; nothing is built or written.</summary>
[Collection("Torch")]
public sealed class DryRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lamo-dry-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void DryRun_PrintsTheEstimate_AndWritesNothing()
    {
        string cache = RelyKit.SyntheticCache(_dir, clips: 2), run = Path.Combine(_dir, "run");
        string[] common = ["train", "--cache", cache, "--out", run, "--dry-run", "--set", "batch_size=8"];
        string tiny = RelyKit.Ok([.. common, "--set", $"transformer_config={RelyKit.Repo("configs/tiny/transformer/config.json")}"]);
        Assert.Contains("fits; dry run", tiny);
        Assert.Contains("activations", tiny);
        string big = RelyKit.Ok([.. common, "--set", $"transformer_config={RelyKit.Repo("configs/cogvideox-2b/transformer/config.json")}", "--set", "max_memory_gb=24"]);
        Assert.Contains("does NOT fit", big);
        Assert.False(Directory.Exists(run));
    }
}
