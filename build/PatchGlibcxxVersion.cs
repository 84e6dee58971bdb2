// MSBuild inline task (RoslynCodeTaskFactory). Makes TorchSharp's native shim loadable on Debian 12:
// libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) for one unused symbol; Debian 12 stops at 3.4.30.
// We mark that version requirement weak (VER_FLG_WEAK) in the output folder's copy only. See platform-notes.md.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchGlibcxxVersion : Task
{
    [Required] public string LibraryPath { get; set; } = "";
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        if (!File.Exists(LibraryPath)) return true;
        if (SystemHasVersion(Version)) { Log.LogMessage(MessageImportance.Low, "libstdc++ provides " + Version + "; no patch needed"); return true; }
        byte[] bytes = File.ReadAllBytes(LibraryPath);
        int offset = FindVernauxFlags(bytes, Version);
        if (offset < 0) return true;                       // nothing asks for it
        ushort flags = BitConverter.ToUInt16(bytes, offset);
        if ((flags & 2) != 0) return true;                 // already weak: idempotent
        BitConverter.GetBytes((ushort)(flags | 2)).CopyTo(bytes, offset);
        // Write a new file and rename over, so a hard link into the NuGet cache is never modified.
        string tmp = LibraryPath + ".patch-tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Delete(LibraryPath);
        File.Move(tmp, LibraryPath);
        Log.LogMessage(MessageImportance.High, "Marked " + Version + " weak in " + LibraryPath);
        return true;
    }

    static bool SystemHasVersion(string version)
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib" })
        {
            string p = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(p)) continue;
            byte[] lib = File.ReadAllBytes(p);
            return IndexOf(lib, Encoding.ASCII.GetBytes(version + "\0")) >= 0;
        }
        return false;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <summary>Returns the file offset of vna_flags of the Vernaux entry naming <paramref name="version"/>, or -1.</summary>
    public static int FindVernauxFlags(byte[] b, string version)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[4] != 2 || b[5] != 1) return -1; // ELF64 LE only
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            uint type = BitConverter.ToUInt32(b, (int)sh + 4);
            if (type != 0x6ffffffe) continue;              // SHT_GNU_verneed
            long off = BitConverter.ToInt64(b, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(b, (int)sh + 0x28);
            long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);
            long vn = off;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int k = 0; k < cnt; k++)
                {
                    uint name = BitConverter.ToUInt32(b, (int)aux + 8);
                    if (ReadCString(b, strOff + name) == version) return (int)aux + 4;
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                if (next == 0) break;
                vn += next;
            }
        }
        return -1;
    }

    static string ReadCString(byte[] b, long at)
    {
        int end = (int)at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
