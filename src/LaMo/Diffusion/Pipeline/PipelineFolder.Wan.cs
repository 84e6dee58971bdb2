using LaMo.Core;
using LaMo.Diffusion.Schedulers;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.Text;
using LaMo.Models.Wan;
using LaMo.Models.WanVae;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Pipeline;

public static partial class PipelineFolder
{
    /// <summary>diffusers' WanPipeline prompt length (<c>max_sequence_length</c>).</summary>
    public const int WanMaxSequenceLength = 512;

    /// <summary>Loads a diffusers Wan pipeline folder: <c>model_index.json</c> naming <c>WanPipeline</c>
    /// (<see cref="WanModelIndex"/>), <c>transformer/</c>, <c>scheduler/</c> (UniPC or FlowMatchEuler), and the optional
    /// <c>vae/</c> (AutoencoderKLWan) and <c>text_encoder/</c> (UMT5EncoderModel + <c>tokenizer/</c>, or the word
    /// encoder). Components load strictly (every key, exact shapes); every config passes its bounds before anything
    /// is built; the pipeline owns the components.</summary>
    /// <param name="folder">The pipeline folder.</param>
    /// <param name="dtype">Transformer dtype (float32, bfloat16 or float16); the VAE stays float32.</param>
    /// <param name="textEncoderDtype">UMT5 dtype (bf16 keeps UMT5-XXL at ≈ 11 GB).</param>
    /// <param name="device">Where every component's weights go and the pipeline computes (null: the CPU).</param>
    /// <exception cref="FileNotFoundException">A listed component's folder or file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">A wrong class name, an unknown key, or weights that do not match the
    /// config (named).</exception>
    /// <exception cref="ArgumentException">The components do not fit together (latent channels, text width).</exception>
    public static WanPipeline LoadWan(string folder, ScalarType dtype = ScalarType.Float32, ScalarType textEncoderDtype = ScalarType.Float32,
        Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"{folder}: no such pipeline folder");
        var index = WanModelIndex.Load(folder);
        string Dir(string component)
        {
            string dir = Path.Combine(folder, component);
            if (!Directory.Exists(dir)) throw new FileNotFoundException($"{dir}: missing (model_index.json lists {component})");
            return dir;
        }
        string transformerDir = Dir("transformer");
        string schedulerFile = Path.Combine(Dir("scheduler"), "scheduler_config.json");
        if (!File.Exists(schedulerFile)) throw new FileNotFoundException($"{schedulerFile}: missing", schedulerFile);
        string? vaeDir = index.Has("vae") ? Dir("vae") : null;
        if (index.Has("text_encoder")) Dir("text_encoder");

        // Every config through its bounds before anything is built.
        var transformerConfig = WanTransformerLimits.Load(Path.Combine(transformerDir, "config.json"));
        if (vaeDir is not null) WanVaeLimits.Load(Path.Combine(vaeDir, "config.json"));
        PipelineFolderLimits.TextEncoderParameters(folder);
        var built = new List<IDisposable>();
        try
        {
            var scheduler = Keep(built, SchedulerFactory.LoadFlow(schedulerFile));
            if (scheduler.ClassName != index.Components["scheduler"])
                throw new InvalidDataException($"{schedulerFile}: _class_name is '{scheduler.ClassName}' but model_index.json says '{index.Components["scheduler"]}'");
            var transformer = Keep(built, WanTransformer3DModel.FromPretrained(transformerDir, transformerConfig, dtype, device));
            var vae = vaeDir is null ? null : Keep(built, AutoencoderKLWan.FromPretrained(vaeDir, ScalarType.Float32, device));
            var text = index.Has("text_encoder") ? Keep(built, MoveTo(LoadWanTextEncoder(folder, index.Components["text_encoder"], textEncoderDtype), device)) : null;
            return new WanPipeline(transformer, vae, scheduler, text) { OwnsComponents = true, ExpandTimesteps = index.ExpandTimesteps };
        }
        catch
        {
            foreach (var component in built) component.Dispose();
            throw;
        }
    }

    /// <summary>Writes a diffusers-layout Wan folder that <see cref="LoadWan"/> (and diffusers, for the Wan parts) reads
    /// back: <c>model_index.json</c>, <c>transformer/</c>, <c>scheduler/</c>, and <c>vae/</c> and <c>text_encoder/</c> when
    /// present. A UMT5 encoder's tokenizer is not written (copy <c>tokenizer/</c> yourself).</summary>
    /// <exception cref="NotSupportedException">A scheduler or text encoder this format cannot describe.</exception>
    public static void SaveWan(string folder, WanPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        string schedulerJson = pipeline.Scheduler switch
        {
            UniPCMultistepScheduler u => u.Config.ToJson(),
            FlowMatchEulerDiscreteScheduler e => e.Config.ToJson(),
            var other => throw new NotSupportedException($"scheduler {other.GetType().Name} cannot be saved in a Wan folder"),
        };
        var components = new Dictionary<string, (string, string)>
        {
            ["transformer"] = ("diffusers", WanTransformerConfig.DiffusersClassName),
            ["scheduler"] = ("diffusers", pipeline.Scheduler.ClassName),
        };
        Directory.CreateDirectory(folder);
        pipeline.Transformer.SavePretrained(Path.Combine(folder, "transformer"));
        Directory.CreateDirectory(Path.Combine(folder, "scheduler"));
        AtomicFile.WriteAllText(Path.Combine(folder, "scheduler", "scheduler_config.json"), schedulerJson);
        if (pipeline.Vae is { } vae)
        {
            vae.SavePretrained(Path.Combine(folder, "vae"));
            components["vae"] = ("diffusers", "AutoencoderKLWan");
        }
        switch (pipeline.TextEncoder)
        {
            case null: break;
            case WordTextEncoder word:
                word.Save(Path.Combine(folder, "text_encoder"));
                components["text_encoder"] = ("lamo", "WordTextEncoder");
                break;
            case T5TextEncoder t5:
                t5.SaveTextEncoder(folder);
                components["text_encoder"] = ("transformers", t5.Model.Config.PerLayerPositionBias ? "UMT5EncoderModel" : "T5EncoderModel");
                break;
            default: throw new NotSupportedException($"text encoder {pipeline.TextEncoder.GetType().Name} cannot be saved in a Wan folder");
        }
        AtomicFile.WriteAllText(Path.Combine(folder, "model_index.json"), WanModelIndex.Write(components, pipeline.ExpandTimesteps));
    }

    /// <summary>True when <paramref name="folder"/>'s <c>model_index.json</c> names <c>WanPipeline</c>.</summary>
    public static bool IsWan(string folder) => WanModelIndex.PipelineClassOf(folder) == WanModelIndex.PipelineClass;

    /// <summary>The text encoder of a Wan folder as <see cref="LoadWan"/> builds it (what <c>lamo encode</c> caches).</summary>
    /// <exception cref="InvalidDataException">The folder has no text encoder.</exception>
    public static ITextEncoder LoadWanTextEncoder(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var index = WanModelIndex.Load(folder);
        if (!index.Has("text_encoder")) throw new InvalidDataException($"{Path.Combine(folder, "model_index.json")}: lists no text_encoder");
        return LoadWanTextEncoder(folder, index.Components["text_encoder"], dtype, device);
    }

    // UMT5 as WanPipeline runs it: 512 tokens, the attention mask into the encoder (masked states are zeroed by the
    // pipeline). The word encoder loads as it is.
    private static ITextEncoder LoadWanTextEncoder(string folder, string className, ScalarType dtype, Device? device = null)
    {
        if (className == "WordTextEncoder") return WordTextEncoder.FromPretrained(folder, device);
        var t5 = T5TextEncoder.FromPretrained(folder, dtype, WanMaxSequenceLength, device);
        return new T5TextEncoder(t5.Tokenizer, t5.Model) { UseAttentionMask = true };
    }

    private static T Keep<T>(List<IDisposable> built, T component) where T : IDisposable
    {
        built.Add(component);
        return component;
    }
}
