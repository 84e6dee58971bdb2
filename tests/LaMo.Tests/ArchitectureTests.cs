using System.Reflection;
using LaMo.Core;
using NetArchTest.Rules;
using Xunit;

namespace LaMo.Tests;

/// <summary>The library's folders are layers with arrows one way (docs/architecture.md): a layer may use the layers
/// below it and never one above. Read from the compiled assembly by NetArchTest, so a qualified name, a using or a
/// type in a signature all count.</summary>
public sealed class ArchitectureTests
{
    /// <summary>The layers, lowest first (namespace LaMo.{name}).</summary>
    public static readonly string[] Layers =
    [
        "Core", "Video", "Data", "World", "Evaluation", "Models", "Diffusion", "Motion", "Training", "Distributed",
        "Reliability", "Verification", "Workflows", "Experiment", "Reports", "Demo",
    ];

    private static readonly Assembly Library = typeof(ResourceLimits).Assembly;

    public static TheoryData<string> LayerNames()
    {
        var data = new TheoryData<string>();
        foreach (var layer in Layers) data.Add(layer);
        return data;
    }

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Layer_UsesNoLayerAboveIt(string layer)
    {
        var above = Layers.SkipWhile(l => l != layer).Skip(1).Select(l => $"LaMo.{l}").ToArray();
        if (above.Length == 0) return;   // the top layer may use everything
        var result = Types.InAssembly(Library).That().ResideInNamespace($"LaMo.{layer}")
            .ShouldNot().HaveDependencyOnAny(above).GetResult();
        Assert.True(result.IsSuccessful,
            $"LaMo.{layer} uses a layer above it: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void EveryLibraryNamespace_BelongsToALayer()
    {
        var namespaces = Library.GetTypes().Select(t => t.Namespace).Where(n => n is not null && n != "LaMo" && n.StartsWith("LaMo.", StringComparison.Ordinal))
            .Select(n => n!.Split('.')[1]).Distinct().ToList();
        Assert.NotEmpty(namespaces);
        Assert.All(namespaces, n => Assert.Contains(n, Layers));
    }

    /// <summary>The rule can fail: asked the other way round (may Demo, the top layer, avoid the layers below it?), the same
    /// check finds the library's real dependencies.</summary>
    [Fact]
    public void Rule_SeesTheLibrarysDependencies()
    {
        var result = Types.InAssembly(Library).That().ResideInNamespace("LaMo.Demo")
            .ShouldNot().HaveDependencyOnAny("LaMo.Models", "LaMo.World").GetResult();
        Assert.False(result.IsSuccessful);
        Assert.Contains(result.FailingTypeNames, n => n.StartsWith("LaMo.Demo.", StringComparison.Ordinal));
    }
}
