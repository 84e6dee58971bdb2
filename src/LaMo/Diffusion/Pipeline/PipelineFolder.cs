using TorchSharp;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaMo.Core;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

/// <summary>Reads and writes diffusers pipeline folders: <c>model_index.json</c>, <c>transformer/</c>, <c>vae/</c>,
/// <c>scheduler/</c>, <c>text_encoder/</c> (+ <c>tokenizer/</c> for T5). Real CogVideoX folders load as they are
/// (<see cref="Load"/>); Wan folders are read by <see cref="LoadWan"/> (<c>PipelineFolder.Wan.cs</c>).</summary>
public static partial class PipelineFolder
{
    /// <summary>Loads every component present; the pipeline owns them.</summary>
    /// <param name="folder">The pipeline folder.</param>
    /// <param name="dtype">Transformer dtype (float32, bfloat16 or float16); the VAE stays float32.</param>
    /// <param name="textEncoderDtype">T5 text encoder dtype (bf16 keeps T5-XXL at ≈ 9.5 GB).</param>
    /// <param name="chainPreviousX0">DPM only: chain the previous x̂₀ as diffusers' pipeline does (true) or always take the
    /// first-order branch as LaMo's sampling code does (false).</param>
    /// <param name="device">Where every component's weights go and the pipeline computes (null: the CPU).</param>
    /// <exception cref="FileNotFoundException">No transformer or scheduler (the message names the path).</exception>
    /// <exception cref="InvalidDataException">A Wan folder (see <see cref="LoadWan"/>) or an invalid component.</exception>
    public static CogVideoXPipeline Load(string folder, ScalarType dtype = ScalarType.Float32, bool chainPreviousX0 = true,
        ScalarType textEncoderDtype = ScalarType.Float32, Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"{folder}: no such pipeline folder");
        if (WanModelIndex.PipelineClassOf(folder) == WanModelIndex.PipelineClass)
            throw new InvalidDataException($"{Path.Combine(folder, "model_index.json")}: a {WanModelIndex.PipelineClass} folder; load it with PipelineFolder.LoadWan");
        string transformerDir = Path.Combine(folder, "transformer");
        string schedulerFile = Path.Combine(folder, "scheduler", "scheduler_config.json");
        if (!Directory.Exists(transformerDir)) throw new FileNotFoundException($"{transformerDir}: missing (a pipeline needs a transformer)");
        if (!File.Exists(schedulerFile)) throw new FileNotFoundException($"{schedulerFile}: missing", schedulerFile);
        PipelineFolderLimits.Check(folder);   // every component's config, before any is built
        var transformer = CogVideoXTransformer3DModel.FromPretrained(transformerDir, dtype, device);
        string vaeDir = Path.Combine(folder, "vae");
        var vae = Directory.Exists(vaeDir) ? AutoencoderKLCogVideoX.FromPretrained(vaeDir, ScalarType.Float32, device) : null;
        var scheduler = SchedulerFactory.Create(SchedulerConfig.Load(schedulerFile), chainPreviousX0: chainPreviousX0);
        var text = Directory.Exists(Path.Combine(folder, "text_encoder")) ? MoveTo(TextEncoderLoader.FromPretrained(folder, textEncoderDtype), device) : null;
        return new CogVideoXPipeline(transformer, vae, scheduler, text) { OwnsComponents = true };
    }

    /// <summary>Moves a text encoder's weights to <paramref name="device"/> (it encodes where its weights are).</summary>
    /// <exception cref="NotSupportedException">An encoder type this method does not know.</exception>
    public static ITextEncoder MoveTo(ITextEncoder encoder, Device? device)
    {
        if (device is null) return encoder;
        switch (encoder)
        {
            case WordTextEncoder word: word.to(device); break;
            case T5TextEncoder t5: t5.Model.to(device); break;
            default: throw new NotSupportedException($"text encoder {encoder.GetType().Name}: cannot move it to {device}");
        }
        return encoder;
    }

    /// <summary>Writes a diffusers-layout folder that <see cref="Load"/> (and diffusers, for the CogVideoX parts) reads back.</summary>
    public static void Save(string folder, CogVideoXTransformer3DModel transformer, AutoencoderKLCogVideoX? vae,
        SchedulerConfig scheduler, WordTextEncoder? textEncoder)
    {
        Directory.CreateDirectory(folder);
        transformer.SavePretrained(Path.Combine(folder, "transformer"));
        vae?.SavePretrained(Path.Combine(folder, "vae"));
        Directory.CreateDirectory(Path.Combine(folder, "scheduler"));
        scheduler.Save(Path.Combine(folder, "scheduler", "scheduler_config.json"));
        textEncoder?.Save(Path.Combine(folder, "text_encoder"));
        var index = new JsonObject
        {
            ["_class_name"] = "CogVideoXPipeline",
            ["_lamo_version"] = LaMoInfo.Version,
            ["transformer"] = new JsonArray("diffusers", "CogVideoXTransformer3DModel"),
            ["scheduler"] = new JsonArray("diffusers", scheduler.ClassName ?? SchedulerFactory.DDIM),
        };
        if (vae is not null) index["vae"] = new JsonArray("diffusers", "AutoencoderKLCogVideoX");
        if (textEncoder is not null) index["text_encoder"] = new JsonArray("lamo", "WordTextEncoder");
        AtomicFile.WriteAllText(Path.Combine(folder, "model_index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
