using System.Text.Json.Nodes;
using LaMo.Core;

namespace LaMo.Training;

/// <summary>The record of a training run saved in <c>run.json</c> and in every checkpoint's <c>state.json</c>: its path
/// fields are written relative to the run folder (the in-memory plan keeps usable paths), so a copied run folder names
/// no folder of the machine that made it.</summary>
public static class RunRecord
{
    /// <summary>Fields that always hold a path (plan and options names).</summary>
    public static IReadOnlySet<string> PathKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "cache", "out", "init", "init_pipeline", "run_folder", "data", "transformer_config" };

    /// <summary>Fields that hold a path or a name (a predictor preset, <c>CogVideoX-2B</c>'s schedule).</summary>
    public static IReadOnlySet<string> MaybePathKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "config_source", "scheduler_source", "predictor_config", "scheduler" };

    /// <summary>Rewrites the path fields of <paramref name="run"/> relative to <paramref name="runFolder"/> and says so in
    /// <c>paths_relative_to</c>; returns <paramref name="run"/>.</summary>
    public static JsonObject Portable(JsonObject run, string runFolder)
    {
        ArtifactPaths.RelativeFields(run, runFolder, PathKeys, MaybePathKeys);
        run["paths_relative_to"] = "the run folder";
        return run;
    }
}
