using LaMo.Core;
using LaMo.Data;

namespace LaMo.Reliability;

/// <summary>Cheap checks of a dataset entry before it is decoded: the caption must be valid UTF-8 and the container must not
/// declare frames beyond <see cref="ResourceLimits.MaxFrameSide"/> (so an 8000×8000 header is refused without allocating
/// its frames). Decoding problems (empty, truncated, not a video, too few frames) are reported by the decoder itself.</summary>
public static class DatasetGuard
{
    /// <summary>Why <paramref name="entry"/> must be skipped, or null when it may be decoded.</summary>
    public static string? Reject(DatasetEntry entry)
    {
        if (entry.Caption.Contains('\uFFFD')) return "caption is not valid UTF-8";
        try
        {
            if (!File.Exists(entry.VideoPath)) return Directory.Exists(entry.VideoPath) ? null : "file not found";
            if (VideoHeaderProbe.FrameSize(entry.VideoPath) is var (w, h) && (w > ResourceLimits.MaxFrameSide || h > ResourceLimits.MaxFrameSide))
                return $"declared frame size {w}x{h} exceeds the {ResourceLimits.MaxFrameSide}-pixel limit (refused before decoding)";
        }
        catch (IOException e) { return $"unreadable ({e.Message})"; }
        catch (UnauthorizedAccessException e) { return $"unreadable ({e.Message})"; }
        return null;
    }

    /// <summary>Splits entries into those that pass <see cref="Reject"/> and skipped ones (appended to <paramref name="skipped"/>);
    /// with <paramref name="strict"/> the first bad entry throws <see cref="InvalidDataException"/> naming its path.</summary>
    public static List<DatasetEntry> Filter(IEnumerable<DatasetEntry> entries, List<SkippedFile> skipped, bool strict)
    {
        var ok = new List<DatasetEntry>();
        foreach (var e in entries)
        {
            if (Reject(e) is not { } reason) { ok.Add(e); continue; }
            if (strict) throw new InvalidDataException($"{e.VideoPath}: {reason}");
            skipped.Add(new SkippedFile(e.VideoPath, reason));
        }
        return ok;
    }
}
