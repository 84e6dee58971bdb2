namespace LaMo.Data;

/// <summary>An input left out of a dataset, with the reason (for the load report).</summary>
public sealed record SkippedFile(string Path, string Reason);
