using LaMo.Evaluation.VideoPhy;
using Xunit;

namespace LaMo.Tests.Evaluation.VideoPhy;

public class VideoPhyPromptSetTests
{
    [Fact]
    public void Load_VideoPhyExpanded_GeneratesFromLongCaptionScoresShortCaption()
    {
        var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
        Assert.Equal(VideoPhyBenchmark.VideoPhy, set.Benchmark);
        Assert.Equal(6, set.Prompts.Count);
        var honey = set.Prompts[1];
        Assert.Equal((1, "Honey diffusing into warm milk.", "fluid_fluid"), (honey.Index, honey.Caption, honey.Category));
        Assert.StartsWith("In a cozy kitchen, a clear glass jar of golden honey", honey.GenerationPrompt);
        Assert.Equal("A blender spins, mixing squeezed juice within it.", set.Prompts[0].Caption);
        Assert.Equal(["solid_fluid", "fluid_fluid", "solid_fluid", "solid_solid", "solid_solid", "fluid_fluid"], set.Prompts.Select(p => p.Category!));
    }

    [Fact]
    public void Load_VideoPhy2_CrlfQuotedFieldsKeptByteForByte()
    {
        var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhy2Csv);
        Assert.Equal(VideoPhyBenchmark.VideoPhy2, set.Benchmark);
        Assert.Equal(3, set.Prompts.Count);
        Assert.Equal("A yo-yo is tossed against a brick wall; it bounces back without sustaining visible damage.", set.Prompts[0].Caption);
        Assert.StartsWith("  In a vibrant outdoor setting", set.Prompts[1].GenerationPrompt);        // leading spaces kept
        Assert.EndsWith("patchwork effect.\"", set.Prompts[2].Caption);                            // stray quote kept
        Assert.All(set.Prompts, p => Assert.Null(p.Category));
        Assert.All(set.Prompts, p => Assert.DoesNotContain('\r', p.GenerationPrompt));
    }

    [Fact]
    public void Select_CategoriesOffsetLimit_KeepFileIndices()
    {
        var set = VideoPhyPromptSet.Load(VideoPhyFixtures.VideoPhyCsv);
        Assert.Equal([3, 4], set.Select(categories: ["solid_solid"]).Select(p => p.Index));
        Assert.Equal([1, 2], set.Select(offset: 1, limit: 2).Select(p => p.Index));
        Assert.Equal([2], set.Select(offset: 1, limit: 5, categories: ["solid_fluid"]).Select(p => p.Index));
        Assert.Empty(set.Select(offset: 10));
        Assert.Contains("solid_solid", Assert.Throws<ArgumentException>(() => set.Select(categories: ["plasma"])).Message);
        Assert.ThrowsAny<ArgumentException>(() => set.Select(offset: -1));
        Assert.ThrowsAny<ArgumentException>(() => set.Select(limit: -1));
    }

    [Fact]
    public void Parse_UnknownHeader_ThrowsInvalidDataNamingColumns()
    {
        var e = Assert.Throws<InvalidDataException>(() => VideoPhyPromptSet.Parse("prompt,seed\nx,1\n", "p.csv"));
        Assert.Contains("prompt, seed", e.Message);
        Assert.Throws<FileNotFoundException>(() => VideoPhyPromptSet.Load("/nonexistent/prompts.csv"));
    }
}
