using System.Buffers.Binary;
using System.Text;

namespace LaMo.Reliability;

/// <summary>Reads the frame size a video container declares (MP4/MOV sample entry or track header; AVI main header)
/// from its first few hundred KB, without decoding anything, so that absurd resolutions are refused before a decoder
/// allocates frames. Other containers give null (unknown) and are left to the decoder.</summary>
public static class VideoHeaderProbe
{
    private const int MaxScanBytes = 4 << 20;

    /// <summary>The declared (width, height), or null when the container is not MP4/MOV/AVI or declares nothing.</summary>
    public static (int Width, int Height)? FrameSize(string path)
    {
        byte[] head;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (fs.Length < 12) return null;
            if (IsAvi(fs)) return AviSize(fs);
            head = new byte[(int)Math.Min(fs.Length, MaxScanBytes)];
            fs.ReadExactly(head);
            // moov may sit at the end (no faststart): read the tail too.
            if (fs.Length > MaxScanBytes)
            {
                var tail = new byte[MaxScanBytes];
                fs.Seek(-MaxScanBytes, SeekOrigin.End);
                fs.ReadExactly(tail);
                return Mp4Size(head) ?? Mp4Size(tail);
            }
        }
        return Mp4Size(head);
    }

    private static bool IsAvi(FileStream fs)
    {
        Span<byte> b = stackalloc byte[12];
        fs.Seek(0, SeekOrigin.Begin);
        fs.ReadExactly(b);
        fs.Seek(0, SeekOrigin.Begin);
        return b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("AVI "u8);
    }

    private static (int, int)? AviSize(FileStream fs)
    {
        var buf = new byte[(int)Math.Min(fs.Length, 64 << 10)];
        fs.ReadExactly(buf);
        int at = buf.AsSpan().IndexOf("avih"u8);
        if (at < 0 || at + 8 + 40 > buf.Length) return null;
        // MainAVIHeader: dwMicroSecPerFrame, dwMaxBytesPerSec, dwPaddingGranularity, dwFlags, dwTotalFrames,
        // dwInitialFrames, dwStreams, dwSuggestedBufferSize, dwWidth (+32), dwHeight (+36).
        var h = buf.AsSpan(at + 8);
        return ((int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(h[32..]), int.MaxValue),
                (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(h[36..]), int.MaxValue));
    }

    // Visual sample entries (ISO 14496-12 §12.1.3): 8-byte box header, 6 reserved, 2 data_reference_index, 16 pre-defined
    // and reserved, then width (16 bits) and height (16 bits) at +32 and +34 from the box start.
    private static readonly string[] VisualEntries = ["avc1", "avc3", "hvc1", "hev1", "mp4v", "vp09", "av01", "mjpa", "jpeg", "s263", "mjp2"];

    private static (int, int)? Mp4Size(byte[] data)
    {
        var span = data.AsSpan();
        // stsd: size, 'stsd', version/flags (4), entry count (4), then the first sample entry (size, type, ...).
        for (int at = span.IndexOf("stsd"u8); at >= 4; )
        {
            int entry = at + 4 + 8;
            if (entry + 36 <= data.Length && VisualEntries.Contains(Encoding.ASCII.GetString(span.Slice(entry + 4, 4))))
                return (BinaryPrimitives.ReadUInt16BigEndian(span[(entry + 32)..]), BinaryPrimitives.ReadUInt16BigEndian(span[(entry + 34)..]));
            int next = span[(at + 4)..].IndexOf("stsd"u8);
            at = next < 0 ? -1 : at + 4 + next;
        }
        int tkhd = span.IndexOf("tkhd"u8);
        if (tkhd < 4) return null;
        int version = span[tkhd + 4];
        int wAt = tkhd + 4 + (version == 1 ? 88 : 76);      // width, height: 16.16 fixed point at the end of tkhd
        if (wAt + 8 > data.Length) return null;
        return ((int)(BinaryPrimitives.ReadUInt32BigEndian(span[wAt..]) >> 16), (int)(BinaryPrimitives.ReadUInt32BigEndian(span[(wAt + 4)..]) >> 16));
    }
}
