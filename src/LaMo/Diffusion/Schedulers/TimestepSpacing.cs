using System.Text.Json.Serialization;

namespace LaMo.Diffusion.Schedulers;

/// <summary>How inference timesteps are picked from the training range (Lin et al. 2023, Table 2).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TimestepSpacing>))]
public enum TimestepSpacing
{
    /// <summary><c>round(linspace(0, N−1, n))</c>, descending.</summary>
    [JsonStringEnumMemberName("linspace")] Linspace,

    /// <summary><c>k·(N // n) + steps_offset</c>, descending (starts below N−1).</summary>
    [JsonStringEnumMemberName("leading")] Leading,

    /// <summary><c>round(arange(N, 0, −N/n)) − 1</c>: always starts at N−1 (999, 979, …, 19 for 50 of 1000).</summary>
    [JsonStringEnumMemberName("trailing")] Trailing,
}
