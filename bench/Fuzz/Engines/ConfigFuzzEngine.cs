using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Motion;
using LaMo.Diffusion.Pipeline;
using LaMo.Training;

namespace LaMo.Fuzz;

/// <summary>Mutates valid configs of every type (transformer, VAE, scheduler, predictor, backbone and predictor training
/// options): wrong types, missing and extra fields, absurd and negative sizes, nulls, nesting. Every case must either be
/// accepted within <see cref="ResourceLimits"/> or be refused with <see cref="InvalidDataException"/>,
/// <see cref="ArgumentException"/> or <see cref="NotSupportedException"/>; nothing is ever built from a config here, so a
/// case that passes the parser and the bounds is by construction one that is safe to allocate.</summary>
public static class ConfigFuzzEngine
{
    /// <summary>Result of a campaign.</summary>
    public sealed record Outcome(long Cases, long Accepted, long Rejected, double MaxCaseMilliseconds, long MaxManagedBytes, IReadOnlyList<string> Failures);

    /// <summary>The config types, each with a valid example and the parse-and-check path used by the library.</summary>
    public static IReadOnlyList<(string Name, string Valid, Action<string> Parse)> Types { get; } =
    [
        ("transformer", new CogVideoXTransformerConfig().ToJson(), j => TransformerLimits.Check(CogVideoXTransformerConfig.FromJson(j), "transformer")),
        ("vae", JsonSerializer.Serialize(new AutoencoderKLCogVideoXConfig()), j => VaeLimits.Check(AutoencoderKLCogVideoXConfig.FromJson(j), "vae")),
        ("scheduler", SchedulerConfig.CogVideoX2B.ToJson(), j => PipelineFolderLimits.Check(SchedulerConfig.Parse(j), "scheduler")),
        ("predictor", MotionPriorConfig.Paper.ToJson(), j => MotionPriorLimits.Parse(j, "predictor")),
        ("backbone_options", """{"cache":"c","out":"o","transformer_config":"t.json","steps":10,"batch_size":2,"learning_rate":0.001}""",
            j => TrainingLimits.Check(ParseOptions<BackboneTrainingOptions>(j).Validate())),
        ("predictor_options", """{"cache":"c","out":"o","steps":10,"batch_size":2}""",
            j => TrainingLimits.Check(ParseOptions<PredictorTrainingOptions>(j).Validate())),
    ];

    /// <summary>Options records are read as <c>lamo train --config</c> reads them (unknown keys are errors).</summary>
    public static T ParseOptions<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, new JsonSerializerOptions { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow })
                   ?? throw new ArgumentException("empty options");
        }
        catch (JsonException e) { throw new ArgumentException($"bad option: {e.Message}"); }
    }

    /// <summary>Runs <paramref name="cases"/> mutations spread over <see cref="Types"/>.</summary>
    public static Outcome Run(long cases, int seed)
    {
        var rng = new Random(seed);
        long accepted = 0, rejected = 0, maxBytes = 0;
        double maxMs = 0;
        var failures = new List<string>();
        for (long i = 0; i < cases; i++)
        {
            var (name, valid, parse) = Types[(int)(i % Types.Count)];
            string json = Mutate(valid, rng);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            try { parse(json); accepted++; }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException) { rejected++; }
            catch (Exception e) { failures.Add($"{name} case {i}: unexpected {e.GetType().Name}: {e.Message} <- {json}"); }
            maxMs = Math.Max(maxMs, sw.Elapsed.TotalMilliseconds);
            maxBytes = Math.Max(maxBytes, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return new Outcome(cases, accepted, rejected, maxMs, maxBytes, failures);
    }

    private static readonly JsonNode?[] Absurd =
    [
        1_000_000_000_000, 1_000_000_000, int.MaxValue, -1, 0, 1e300, 2.5, "16", true, null,
        new JsonArray(1, 2), new JsonObject { ["x"] = 1 }, 65_536, 1024, 8192, "", long.MinValue,
    ];

    /// <summary>One mutation of a valid config: change, remove, add or retype fields (1–3 edits), or break the text.</summary>
    public static string Mutate(string valid, Random rng)
    {
        var obj = JsonNode.Parse(valid)!.AsObject();
        int edits = rng.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            var keys = obj.Select(kv => kv.Key).ToList();
            switch (rng.Next(5))
            {
                case 0 when keys.Count > 0:
                    obj[keys[rng.Next(keys.Count)]] = Absurd[rng.Next(Absurd.Length)]?.DeepClone();
                    break;
                case 1 when keys.Count > 0:
                    obj.Remove(keys[rng.Next(keys.Count)]);
                    break;
                case 2:
                    obj["unknown_" + rng.Next(100)] = 1;
                    break;
                case 3 when keys.Count > 0:
                {
                    string k = keys[rng.Next(keys.Count)];
                    obj[k] = obj[k] is JsonArray arr && arr.Count > 0
                        ? new JsonArray(arr.Select(_ => Absurd[rng.Next(Absurd.Length)]?.DeepClone()).ToArray())
                        : new JsonArray(Absurd[rng.Next(Absurd.Length)]?.DeepClone());
                    break;
                }
                default:
                    if (keys.Count > 0 && obj[keys[rng.Next(keys.Count)]] is JsonValue v && v.TryGetValue(out long x))
                        obj[keys[rng.Next(keys.Count)]] = x * (rng.Next(2) == 0 ? 1_000_000L : -1L);
                    break;
            }
        }
        string text = obj.ToJsonString();
        return rng.Next(10) switch
        {
            0 => text[..rng.Next(text.Length)],
            1 => text.Replace(':', '='),
            2 => "[" + text + "]",
            3 => "null",
            _ => text,
        };
    }
}
