using Xunit;

namespace LaMo.Tests;

/// <summary>Tests that must run alone: they force process-wide garbage collections (which would slow every other test)
/// or compare runs bit for bit (another test drawing from TorchSharp's global generator in parallel would change them).</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;
