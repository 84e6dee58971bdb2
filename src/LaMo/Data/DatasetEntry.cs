namespace LaMo.Data;

/// <summary>One (video, caption) pair of a dataset; <see cref="VideoPath"/> is absolute.</summary>
public sealed record DatasetEntry(string VideoPath, string Caption);
