using LaMo.Tests.Experiment;
using Xunit;

namespace LaMo.Tests.Demo;

/// <summary>The recipe's cards are committed with the shipped models, so they name folders by placeholder, never by a
/// path of the machine that made them.</summary>
public sealed class DemoCardTests
{
    [Fact]
    public void RecipeCards_HoldNoMachinePaths_AndNamePlaceholders()
    {
        var cards = Directory.GetFiles(Path.Combine(MiniatureModels.Folder, "cards"), "*.json");
        Assert.NotEmpty(cards);
        string root = Path.GetDirectoryName(MiniatureModels.Folder)!;
        foreach (var card in cards)
            Assert.DoesNotContain(root, File.ReadAllText(card));
        Assert.Contains("\"WORK/cache\"", File.ReadAllText(cards.Single(c => Path.GetFileName(c) == "base.json")));
    }

    [Fact]
    public void ShippedCards_HoldNoAbsolutePaths()
    {
        foreach (var card in Directory.GetFiles(RelyKit.Repo("models/demo/cards"), "*.json"))
            Assert.DoesNotMatch("\"/[A-Za-z]", File.ReadAllText(card));
    }
}
