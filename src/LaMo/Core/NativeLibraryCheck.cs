using System.Text;

namespace LaMo.Core;

/// <summary>Reports whether TorchSharp's native shim needed the GLIBCXX_3.4.32 fix here and whether it was applied
/// (build/PatchGlibcxxVersion.cs does the patching at build time; this only reads).</summary>
public static class NativeLibraryCheck
{
    private const string Version = "GLIBCXX_3.4.32";

    /// <summary>A one-line description for <c>lamo doctor</c>.</summary>
    public static string Inspect(string outputFolder)
    {
        string? lib = new[] { "libLibTorchSharp.so", "runtimes/linux-x64/native/libLibTorchSharp.so" }
            .Select(p => Path.Combine(outputFolder, p)).FirstOrDefault(File.Exists);
        if (lib is null) return "no libLibTorchSharp.so in the output folder (not Linux x64?)";
        bool needed = !SystemHasVersion();
        var (found, weak) = ReadFlag(File.ReadAllBytes(lib));
        if (!found) return "not needed (the library does not ask for " + Version + ")";
        if (!needed) return $"not needed (system libstdc++ provides {Version})";
        return weak ? $"needed and applied ({Version} marked weak in {Path.GetFileName(lib)})" : "NEEDED BUT NOT APPLIED: rebuild with ./lamo";
    }

    /// <summary>True when the system libstdc++ exports <c>GLIBCXX_3.4.32</c>.</summary>
    public static bool SystemHasVersion()
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib" })
        {
            string p = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(p)) return File.ReadAllBytes(p).AsSpan().IndexOf(Encoding.ASCII.GetBytes(Version + "\0")) >= 0;
        }
        return false;
    }

    /// <summary>Finds the version-needed entry for GLIBCXX_3.4.32 and whether VER_FLG_WEAK is set on it.</summary>
    public static (bool Found, bool Weak) ReadFlag(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != 'E' || b[4] != 2 || b[5] != 1) return (false, false);
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = (int)(shoff + (long)i * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) != 0x6ffffffe) continue;      // SHT_GNU_verneed
            long off = BitConverter.ToInt64(b, sh + 0x18);
            uint link = BitConverter.ToUInt32(b, sh + 0x28);
            long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);
            for (long vn = off; ; )
            {
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int k = 0, cnt = BitConverter.ToUInt16(b, (int)vn + 2); k < cnt; k++)
                {
                    int nameAt = (int)(strOff + BitConverter.ToUInt32(b, (int)aux + 8));
                    int end = Array.IndexOf(b, (byte)0, nameAt);
                    if (Encoding.ASCII.GetString(b, nameAt, end - nameAt) == Version)
                        return (true, (BitConverter.ToUInt16(b, (int)aux + 4) & 2) != 0);
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                if (next == 0) break;
                vn += next;
            }
        }
        return (false, false);
    }
}
