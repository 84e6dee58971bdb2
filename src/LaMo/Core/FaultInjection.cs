namespace LaMo.Core;

/// <summary>Test seam for storage faults: while a <see cref="DiskQuota"/> is active on the current async flow, every
/// <see cref="Core.AtomicFile"/> write counts its bytes against the quota and fails with "No space left on device" once it
/// is exhausted, exactly as a full disk would fail a <see cref="FileStream"/> write. Inactive (and free) otherwise.</summary>
public static class FaultInjection
{
    private static readonly AsyncLocal<DiskQuota?> Active = new();

    /// <summary>Simulates a disk with <paramref name="bytes"/> free for the current async flow until disposed.</summary>
    public static IDisposable DiskFull(long bytes)
    {
        var q = new DiskQuota(bytes);
        Active.Value = q;
        return q;
    }

    /// <summary>Wraps <paramref name="stream"/> when a quota is active; returns it unchanged otherwise.</summary>
    public static Stream Wrap(Stream stream) => Active.Value is { } q ? new QuotaStream(stream, q) : stream;

    private sealed class DiskQuota(long bytes) : IDisposable
    {
        public long Remaining = bytes;
        public void Dispose() => Active.Value = null;
    }

    private sealed class QuotaStream(Stream inner, DiskQuota quota) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long allowed = Math.Min(buffer.Length, Math.Max(0, quota.Remaining));
            inner.Write(buffer[..(int)allowed]);
            quota.Remaining -= allowed;
            if (allowed < buffer.Length) throw new IOException("No space left on device (injected)");
        }
    }
}
