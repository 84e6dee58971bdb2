using LaMo.Video;

namespace LaMo.Data;

/// <summary>A dataset entry decoded, sampled and resized to its bucket (bytes; make tensors with <see cref="VideoTensor.FromFrames"/>).</summary>
public sealed record LoadedClip(DatasetEntry Entry, VideoFrames Video);
