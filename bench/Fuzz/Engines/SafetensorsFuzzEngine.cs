using System.Diagnostics;
using System.Globalization;
using System.Text;
using LaMo.Core;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Fuzz;

/// <summary>Makes hostile safetensors files and checks that the reader handles each one cleanly: a successful read or an
/// <see cref="InvalidDataException"/>, within a time bound, without large managed allocations, and with no tensor larger
/// than the file it came from. Half the cases mutate a valid file; half are generated from a random header structure
/// (random tensor counts, names, dtypes, shapes, offsets, metadata, extra fields and padding, mostly self-consistent so
/// that many of them are accepted). Used by the unit test (a few thousand cases) and <c>bench/Fuzz</c> (long campaigns).</summary>
public static class SafetensorsFuzzEngine
{
    /// <summary>Result of a campaign.</summary>
    /// <param name="Cases">Cases run.</param>
    /// <param name="Accepted">Files read successfully.</param>
    /// <param name="Rejected">Files refused with <see cref="InvalidDataException"/>.</param>
    /// <param name="Generated">Cases made by structured generation (the rest were mutations).</param>
    /// <param name="MaxCaseMilliseconds">Slowest case.</param>
    /// <param name="MaxManagedBytes">Largest managed allocation by one case.</param>
    /// <param name="Failures">Cases that broke a rule (unexpected exception type, too slow, too much memory, tensor
    /// larger than the file), with the reason; the file bytes are saved under the failure folder when one is given.</param>
    public sealed record Outcome(long Cases, long Accepted, long Rejected, long Generated, double MaxCaseMilliseconds,
        long MaxManagedBytes, IReadOnlyList<string> Failures);

    /// <summary>Bounds a case must stay within.</summary>
    /// <param name="MaxCaseMilliseconds">Per-case time bound.</param>
    /// <param name="MaxManagedBytes">Per-case managed allocation bound.</param>
    public sealed record Bounds(double MaxCaseMilliseconds = 2000, long MaxManagedBytes = 16 << 20);

    /// <summary>Runs <paramref name="cases"/> cases from <paramref name="seed"/> in a temporary folder.</summary>
    /// <param name="failureFolder">Where failing inputs are copied (null: not kept).</param>
    /// <param name="progress">Reports the number of cases done every 1000 cases.</param>
    public static Outcome Run(long cases, int seed, Bounds? bounds = null, string? failureFolder = null, IProgress<long>? progress = null)
    {
        bounds ??= new Bounds();
        string dir = Directory.CreateTempSubdirectory("lamo-fuzz-").FullName;
        try
        {
            byte[] valid = ValidSeedFile(dir);
            var rng = new Random(seed);
            long accepted = 0, rejected = 0, generated = 0;
            double maxMs = 0;
            long maxBytes = 0;
            var failures = new List<string>();
            string path = Path.Combine(dir, "case.safetensors");
            for (long i = 0; i < cases; i++)
            {
                bool gen = rng.Next(2) == 0;
                byte[] bytes = gen ? Generate(rng) : Mutate(valid, rng);
                if (gen) generated++;
                File.WriteAllBytes(path, bytes);
                string? failure = null;
                long before = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                try
                {
                    using var scope = NewDisposeScope();
                    using var f = SafetensorsFile.Open(path);
                    foreach (var k in f.Entries.Keys)
                    {
                        var t = f.Read(k);
                        long nbytes = t.NumberOfElements * t.ElementSize;
                        if (nbytes > bytes.Length) failure = $"tensor '{k}' has {nbytes} bytes, more than the {bytes.Length}-byte file";
                    }
                    accepted++;
                }
                catch (InvalidDataException) { rejected++; }
                catch (Exception e) { failure = $"unexpected {e.GetType().Name}: {e.Message}"; }
                double ms = sw.Elapsed.TotalMilliseconds;
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                maxMs = Math.Max(maxMs, ms);
                maxBytes = Math.Max(maxBytes, allocated);
                if (failure is null && ms > bounds.MaxCaseMilliseconds) failure = $"took {ms:F0} ms";
                if (failure is null && allocated > bounds.MaxManagedBytes) failure = $"allocated {allocated:N0} managed bytes";
                if (failure is not null)
                {
                    failures.Add($"case {i} ({(gen ? "generated" : "mutated")}): {failure}");
                    if (failureFolder is not null)
                    {
                        Directory.CreateDirectory(failureFolder);
                        File.WriteAllBytes(Path.Combine(failureFolder, $"case-{seed}-{i}.safetensors"), bytes);
                    }
                }
                if ((i + 1) % 1000 == 0) progress?.Report(i + 1);
            }
            return new Outcome(cases, accepted, rejected, generated, maxMs, maxBytes, failures);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static byte[] ValidSeedFile(string dir)
    {
        string seedPath = Path.Combine(dir, "seed.safetensors");
        using (var scope = NewDisposeScope())
            SafetensorsWriter.Save(seedPath, new Dictionary<string, Tensor>
            {
                ["a.weight"] = randn(3, 4), ["a.bias"] = zeros(4).to_type(ScalarType.BFloat16),
                ["steps"] = arange(Sc(5L)), ["flag"] = ones(2).to_type(ScalarType.Bool),
            }, new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(seedPath);
    }

    private static readonly string[] KnownDTypes = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"];
    private static readonly int[] KnownSizes = [8, 4, 2, 2, 8, 4, 2, 1, 1, 1];
    private static readonly string[] OddDTypes = ["F8_E4M3", "U64", "C64", "f32", "", "F32 ", "BOOL\u0000"];

    /// <summary>A file built from a random header structure (mostly valid, with one or two deliberate faults in most cases).</summary>
    public static byte[] Generate(Random rng)
    {
        int n = rng.Next(0, 7);
        var sb = new StringBuilder("{");
        var data = new List<byte>();
        bool first = true;
        void Sep() { if (!first) sb.Append(','); first = false; }
        // Fault budget: 0 faults in about 40 % of files so that many are accepted.
        int faults = rng.Next(10) < 4 ? 0 : rng.Next(1, 3);
        bool Fault() { if (faults > 0 && rng.Next(n + 2) == 0) { faults--; return true; } return false; }

        if (rng.Next(3) == 0)
        {
            Sep();
            sb.Append("\"__metadata__\":");
            if (Fault()) sb.Append(rng.Next(2) == 0 ? "[1,2]" : "{\"k\":3}");
            else
            {
                sb.Append('{');
                int m = rng.Next(0, 4);
                for (int j = 0; j < m; j++) sb.Append(j > 0 ? "," : "").Append(Str(RandomName(rng))).Append(':').Append(Str(RandomName(rng)));
                sb.Append('}');
            }
        }
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < n; t++)
        {
            string name = RandomName(rng);
            if (!names.Add(name) && !Fault()) name += "_" + t.ToString(CultureInfo.InvariantCulture);
            int d = rng.Next(KnownDTypes.Length);
            string dtype = Fault() ? OddDTypes[rng.Next(OddDTypes.Length)] : KnownDTypes[d];
            int rank = rng.Next(0, 5);
            var shape = new long[rank];
            long count = 1;
            for (int k = 0; k < rank; k++) { shape[k] = rng.Next(0, 5); count *= shape[k]; }
            long bytes = count * KnownSizes[d];
            string shapeJson = "[" + string.Join(",", shape) + "]";
            long begin = offset, end = offset + bytes;
            if (Fault())
            {
                switch (rng.Next(8))
                {
                    case 0: shapeJson = "[" + string.Join(",", Enumerable.Range(0, rng.Next(1, 20)).Select(_ => HugeNumber(rng))) + "]"; break;
                    case 1: shapeJson = rng.Next(2) == 0 ? "[-1]" : "[1.5]"; break;
                    case 2: shapeJson = "\"3\""; break;
                    case 3: end = begin + bytes + rng.Next(1, 9); break;
                    case 4: begin += rng.Next(1, 9); end = begin + bytes; break;
                    case 5: end = rng.Next(2) == 0 ? long.MaxValue : rng.NextInt64(); break;
                    case 6: shapeJson = "[" + string.Join(",", Enumerable.Repeat("65536", rng.Next(3, 6))) + "]"; break;
                    default: shapeJson = "[" + new string('[', rng.Next(5, 40)) + new string(']', rng.Next(5, 40)) + "]"; break;
                }
            }
            Sep();
            sb.Append(Str(name)).Append(":{");
            var fields = new List<string> { $"\"dtype\":{Str(dtype)}", $"\"shape\":{shapeJson}", $"\"data_offsets\":[{begin},{end}]" };
            if (Fault()) fields.RemoveAt(rng.Next(fields.Count));
            if (Fault()) fields.Add("\"extra\":" + (rng.Next(2) == 0 ? "null" : "{}"));
            Shuffle(fields, rng);
            sb.Append(string.Join(",", fields)).Append('}');
            if (end >= 0 && end < 1 << 20)
            {
                offset = Math.Max(offset, end);
                while (data.Count < end) data.Add((byte)rng.Next(256));
            }
        }
        sb.Append('}');
        if (rng.Next(4) == 0) sb.Append(' ', rng.Next(1, 8));          // trailing padding is legal
        byte[] header = Encoding.UTF8.GetBytes(sb.ToString());
        if (Fault() || (faults > 0 && rng.Next(4) == 0))
        {
            int at = rng.Next(header.Length);
            header[at] = (byte)rng.Next(256);
        }
        ulong len = (ulong)header.Length;
        if (faults > 0 && rng.Next(3) == 0) len = rng.Next(3) == 0 ? (ulong)rng.NextInt64() : len + (ulong)rng.Next(1, 100);
        int dataLen = data.Count;
        if (faults > 0 && rng.Next(3) == 0) dataLen = Math.Max(0, dataLen + rng.Next(-8, 8));
        var file = new byte[8 + header.Length + dataLen];
        BitConverter.GetBytes(len).CopyTo(file, 0);
        header.CopyTo(file, 8);
        for (int i = 0; i < Math.Min(dataLen, data.Count); i++) file[8 + header.Length + i] = data[i];
        return file;
    }

    private static string HugeNumber(Random rng) => rng.Next(6) switch
    {
        0 => "9223372036854775807",
        1 => "18446744073709551616",
        2 => "1e400",
        3 => "-9223372036854775808",
        4 => rng.NextInt64().ToString(CultureInfo.InvariantCulture),
        _ => (1L << rng.Next(20, 62)).ToString(CultureInfo.InvariantCulture),
    };

    private static string RandomName(Random rng) => rng.Next(8) switch
    {
        0 => "",
        1 => "__metadata__",
        2 => new string('x', rng.Next(1, 300)),
        3 => "blocks.\u00e9\u4e2d.\U0001F600",
        4 => "a\\\"b",
        _ => $"layer{rng.Next(100)}.w{rng.Next(10)}",
    };

    private static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
            sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", < ' ' => $"\\u{(int)c:x4}", _ => c.ToString() });
        return sb.Append('"').ToString();
    }

    private static void Shuffle<T>(List<T> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>A mutation of a valid file (byte flips, truncation, header length, digits, textual JSON edits, data edits, garbage).</summary>
    public static byte[] Mutate(byte[] valid, Random rng)
    {
        var b = (byte[])valid.Clone();
        int headerLen = (int)BitConverter.ToUInt64(b, 0);
        switch (rng.Next(9))
        {
            case 0:
                for (int k = rng.Next(1, 4); k > 0; k--) b[8 + rng.Next(headerLen)] = (byte)rng.Next(256);
                return b;
            case 1:
                return b[..rng.Next(b.Length)];
            case 2:
                BitConverter.GetBytes(rng.Next(4) == 0 ? (ulong)rng.NextInt64() : (ulong)rng.Next(headerLen * 2)).CopyTo(b, 0);
                return b;
            case 3:
            {
                var digits = Enumerable.Range(8, headerLen).Where(j => b[j] is >= (byte)'0' and <= (byte)'9').ToList();
                for (int k = rng.Next(1, 3); k > 0 && digits.Count > 0; k--) b[digits[rng.Next(digits.Count)]] = (byte)('0' + rng.Next(10));
                return b;
            }
            case 4:
                return rng.Next(2) == 0 ? [.. b, .. new byte[rng.Next(1, 16)]] : b[..^rng.Next(1, 8)];
            case 5:
            {
                string json = Encoding.UTF8.GetString(b, 8, headerLen);
                string[] from = ["F32", "BF16", "I64", "BOOL", "shape", "data_offsets", "a.bias", "]", ",", "\"", "{", "3", "4"];
                string[] to = ["F31", "U64", "F8", "", "shap", "offsets", "a.weight", "]]", ",,", "'", "{{", "-1", "1e400", "null", "99999999999", "[]", "\"x\""];
                json = json.Replace(from[rng.Next(from.Length)], to[rng.Next(to.Length)]);
                var h = Encoding.UTF8.GetBytes(json);
                return [.. BitConverter.GetBytes((ulong)h.Length), .. h, .. b[(8 + headerLen)..]];
            }
            case 6:
                b[8 + headerLen + rng.Next(b.Length - 8 - headerLen)] ^= 0xFF;
                return b;
            case 7: // splice: insert a random chunk into the header
            {
                int at = 8 + rng.Next(headerLen);
                var chunk = new byte[rng.Next(1, 12)];
                rng.NextBytes(chunk);
                var h = b[8..at].Concat(chunk).Concat(b[at..(8 + headerLen)]).ToArray();
                return [.. BitConverter.GetBytes((ulong)h.Length), .. h, .. b[(8 + headerLen)..]];
            }
            default:
            {
                var g = new byte[rng.Next(0, 64)];
                rng.NextBytes(g);
                return g;
            }
        }
    }
}
