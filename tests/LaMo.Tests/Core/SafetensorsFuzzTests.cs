using System.Diagnostics;
using System.Text;
using LaMo.Core;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Core;

/// <summary>Mutates valid files thousands of times: every outcome must be a successful read or an
/// InvalidDataException, quickly, without large managed allocations. Count: LAMO_FUZZ_ITERATIONS (default 3000).</summary>
public sealed class SafetensorsFuzzTests
{
    [Fact]
    public void MutatedFiles_OnlyCleanErrors_NoCrashHangOrHugeAllocation()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("LAMO_FUZZ_ITERATIONS"), out int n) ? n : 3000;
        var outcome = SafetensorsFuzzer.Run(iterations, seed: 12345);
        Assert.Equal(iterations, outcome.Accepted + outcome.Rejected);
        Assert.True(outcome.Rejected > iterations / 4, $"too few mutations were rejected ({outcome.Rejected}); the fuzzer is not biting");
        Assert.True(outcome.Accepted > 0, "no mutation survived; the fuzzer only makes garbage");
        Assert.True(outcome.MaxCaseMilliseconds < 2000, $"slowest case took {outcome.MaxCaseMilliseconds} ms");
        Assert.True(outcome.MaxManagedBytes < 16 << 20, $"a case allocated {outcome.MaxManagedBytes:N0} managed bytes");
    }
}

/// <summary>The mutation engine (also usable for long campaigns).</summary>
public static class SafetensorsFuzzer
{
    public sealed record Outcome(int Accepted, int Rejected, double MaxCaseMilliseconds, long MaxManagedBytes);

    public static Outcome Run(int iterations, int seed)
    {
        string dir = Directory.CreateTempSubdirectory("lamo-fuzz-").FullName;
        try
        {
            string seedPath = Path.Combine(dir, "seed.safetensors");
            SafetensorsWriter.Save(seedPath, new Dictionary<string, Tensor>
            {
                ["a.weight"] = randn(3, 4), ["a.bias"] = zeros(4).to_type(ScalarType.BFloat16),
                ["steps"] = arange(5L), ["flag"] = ones(2).to_type(ScalarType.Bool),
            }, new Dictionary<string, string> { ["format"] = "pt" });
            byte[] valid = File.ReadAllBytes(seedPath);
            var rng = new Random(seed);
            int accepted = 0, rejected = 0;
            double maxMs = 0;
            long maxBytes = 0;
            string path = Path.Combine(dir, "case.safetensors");
            for (int i = 0; i < iterations; i++)
            {
                File.WriteAllBytes(path, Mutate(valid, rng));
                long before = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                try
                {
                    using var scope = NewDisposeScope();
                    using var f = SafetensorsFile.Open(path);
                    foreach (var k in f.Entries.Keys) f.Read(k);
                    accepted++;
                }
                catch (InvalidDataException) { rejected++; }
                maxMs = Math.Max(maxMs, sw.Elapsed.TotalMilliseconds);
                maxBytes = Math.Max(maxBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return new Outcome(accepted, rejected, maxMs, maxBytes);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static byte[] Mutate(byte[] valid, Random rng)
    {
        var b = (byte[])valid.Clone();
        int headerLen = (int)BitConverter.ToUInt64(b, 0);
        switch (rng.Next(8))
        {
            case 0: // flip random bytes in the header
                for (int k = rng.Next(1, 4); k > 0; k--) b[8 + rng.Next(headerLen)] = (byte)rng.Next(256);
                return b;
            case 1: // truncate anywhere
                return b[..rng.Next(b.Length)];
            case 2: // random header length
                BitConverter.GetBytes(rng.Next(4) == 0 ? (ulong)rng.NextInt64() : (ulong)rng.Next(headerLen * 2)).CopyTo(b, 0);
                return b;
            case 3: // replace a digit in the JSON (shapes, offsets)
            {
                var digits = Enumerable.Range(8, headerLen).Where(j => b[j] is >= (byte)'0' and <= (byte)'9').ToList();
                if (digits.Count > 0) b[digits[rng.Next(digits.Count)]] = (byte)('0' + rng.Next(10));
                return b;
            }
            case 4: // append or delete bytes in the data
                return rng.Next(2) == 0 ? [.. b, .. new byte[rng.Next(1, 16)]] : b[..^rng.Next(1, 8)];
            case 5: // textual edits of the JSON
            {
                string json = Encoding.UTF8.GetString(b, 8, headerLen);
                string[] from = ["F32", "BF16", "I64", "BOOL", "shape", "data_offsets", "a.bias", "]", ",", "\"", "{"];
                string[] to = ["F31", "U64", "F8", "", "shap", "offsets", "a.weight", "]]", ",,", "'", "{{", "-1", "1e400", "null"];
                json = json.Replace(from[rng.Next(from.Length)], to[rng.Next(to.Length)]);
                var h = Encoding.UTF8.GetBytes(json);
                return [.. BitConverter.GetBytes((ulong)h.Length), .. h, .. b[(8 + headerLen)..]];
            }
            case 6: // flip bytes in the data (must still load: data is opaque)
                b[8 + headerLen + rng.Next(b.Length - 8 - headerLen)] ^= 0xFF;
                return b;
            default: // random garbage of random length
            {
                var g = new byte[rng.Next(0, 64)];
                rng.NextBytes(g);
                return g;
            }
        }
    }
}
