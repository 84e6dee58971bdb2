using System.Globalization;

namespace LaMo.Core;

/// <summary>Bounds checked on untrusted configs and inputs BEFORE anything is allocated from their numbers. The per-field
/// ranges of each config record stop single absurd values (10^12 channels fails as an int; num_layers 10^9 fails the
/// range); the parameter bound stops combinations that are individually in range but absurd together (1024 layers ×
/// 65536 width is 5·10^13 parameters). Each config applies it in its own folder (for example
/// <c>Models.CogVideoX.TransformerLimits</c>), from its own parameter count.</summary>
public static class ResourceLimits
{
    /// <summary>Largest model accepted: 10^11 parameters (20 × CogVideoX-5B).</summary>
    public const long MaxParameters = 100_000_000_000;

    /// <summary>Largest config JSON file read (configs are a few KB; a trained_betas list of 10^5 values is ~2 MB).</summary>
    public const long MaxConfigFileBytes = 4 << 20;

    /// <summary>Largest <c>num_train_timesteps</c> (diffusers uses 1000; the schedule arrays are allocated from it).</summary>
    public const int MaxTrainTimesteps = 100_000;

    /// <summary>Largest batch size and LoRA rank accepted by the training options.</summary>
    public const int MaxBatchSize = 65_536, MaxLoraRank = 65_536;

    /// <summary>Largest video frame side (pixels) decoded; larger headers are refused before decoding.</summary>
    public const int MaxFrameSide = 4096;

    /// <summary>Largest decoded clip (frames × height × width × 3 bytes) for one dataset entry: 2 GB.</summary>
    public const long MaxDecodedClipBytes = 2L << 30;

    /// <summary>Refuses a config file larger than <see cref="MaxConfigFileBytes"/> before reading it.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static string ReadConfigText(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        if (info.Length > MaxConfigFileBytes)
            throw new InvalidDataException($"{path}: {info.Length:N0} bytes is implausibly large for a config (limit {MaxConfigFileBytes:N0})");
        return File.ReadAllText(path);
    }

    /// <summary>The config file of <paramref name="path"/>: the path itself, or <c>config.json</c> inside a folder.</summary>
    public static string ConfigFile(string path) => Directory.Exists(path) ? Path.Combine(path, "config.json") : path;

    /// <summary>Refuses a model whose parameter count (from <paramref name="count"/>, which may overflow) exceeds
    /// <see cref="MaxParameters"/>; returns the count.</summary>
    /// <exception cref="InvalidDataException">Names the source, the count and the bound.</exception>
    public static long CheckParameters(Func<long> count, string source, string what)
    {
        long n;
        try { n = count(); }
        catch (OverflowException) { n = long.MaxValue; }
        if (n <= MaxParameters) return n;
        throw new InvalidDataException($"{source}: this {what} config has {(n == long.MaxValue ? "more than 9.2e18" : n.ToString("G3", CultureInfo.InvariantCulture))} parameters, " +
                                       $"beyond the {MaxParameters:G3}-parameter limit; refusing to allocate it");
    }

    /// <summary>Refuses <paramref name="value"/> above <paramref name="max"/>, naming the source and key.</summary>
    /// <exception cref="InvalidDataException">The value is too large.</exception>
    public static void Bound(string source, string key, long value, long max)
    {
        if (value > max) throw new InvalidDataException($"{source}: {key} ({value}) exceeds the limit {max}");
    }
}
