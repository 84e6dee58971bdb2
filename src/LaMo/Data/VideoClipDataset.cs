using LaMo.Video;
using static TorchSharp.torch;

namespace LaMo.Data;

/// <summary>Loads (video, caption) entries into fixed-size clips. Bad files (empty, truncated, not a video, unreadable
/// codec, too short) are skipped and listed in <see cref="Skipped"/> with a reason; with
/// <see cref="ClipReadOptions.Strict"/> the first one throws <see cref="InvalidDataException"/> naming its path.</summary>
public sealed class VideoClipDataset
{
    private readonly List<LoadedClip> _clips = [];
    private readonly List<SkippedFile> _skipped = [];

    /// <summary>Decodes every entry now (clips are small; bytes stay managed, tensors are made per request).</summary>
    /// <exception cref="InvalidDataException">Strict mode and a bad file.</exception>
    public VideoClipDataset(IEnumerable<DatasetEntry> entries, ClipReadOptions options, IEnumerable<SkippedFile>? alreadySkipped = null)
    {
        Options = options;
        if (alreadySkipped is not null) _skipped.AddRange(alreadySkipped);
        if (options.Strict && _skipped.Count > 0) throw new InvalidDataException($"{_skipped[0].Path}: {_skipped[0].Reason}");
        foreach (var e in entries)
        {
            var clip = TryLoad(e, options, out var reason);
            if (clip is not null) { _clips.Add(clip); continue; }
            if (options.Strict) throw new InvalidDataException($"{e.VideoPath}: {reason}");
            _skipped.Add(new SkippedFile(e.VideoPath, reason!));
        }
    }

    /// <summary>The options used.</summary>
    public ClipReadOptions Options { get; }

    /// <summary>Loaded clips, in entry order.</summary>
    public IReadOnlyList<LoadedClip> Clips => _clips;

    /// <summary>Inputs left out, with reasons.</summary>
    public IReadOnlyList<SkippedFile> Skipped => _skipped;

    /// <summary>Clip i as [F, 3, H, W] float32 in [-1, 1]; the caller owns the tensor.</summary>
    public Tensor GetTensor(int i) => VideoTensor.FromFrames(_clips[i].Video);

    /// <summary>A one-line-per-file report of skipped inputs (empty when none).</summary>
    public string Report() => string.Join('\n', _skipped.Select(s => $"skipped {s.Path}: {s.Reason}"));

    /// <summary>Decodes, samples and resizes one entry; null with a reason when it cannot be used. Never throws for bad files.</summary>
    public static LoadedClip? TryLoad(DatasetEntry entry, ClipReadOptions options, out string? reason)
    {
        var sampling = options.EffectiveSampling;
        try
        {
            int? max = sampling.Stride is { } s ? sampling.Start + (options.Frames - 1) * s + 1 : null;
            var video = VideoDecoder.Decode(entry.VideoPath, max, options.FolderFps);
            var idx = sampling.Indices(video.Frames, video.Fps, options.Frames, out reason);
            if (idx is null) return null;
            var picked = video.Select(idx, sampling.OutputFps(video.Fps));
            return new LoadedClip(entry, BucketResize.Apply(picked, options.Width, options.Height));
        }
        catch (Exception e) when (e is InvalidDataException or OpenCvSharp.OpenCVException or IOException or UnauthorizedAccessException)
        {
            // The decoder's message starts with the path; keep only the reason.
            var msg = e.Message;
            reason = msg.StartsWith(entry.VideoPath + ": ", StringComparison.Ordinal) ? msg[(entry.VideoPath.Length + 2)..] : msg;
            return null;
        }
    }
}
