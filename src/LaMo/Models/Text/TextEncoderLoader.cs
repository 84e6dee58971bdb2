using static TorchSharp.torch;

namespace LaMo.Models.Text;

/// <summary>Picks the text encoder class from <c>text_encoder/config.json</c> and loads it.</summary>
public static class TextEncoderLoader
{
    /// <summary>Loads <see cref="T5TextEncoder"/> (<c>_class_name</c> or <c>architectures[0]</c> = <c>T5EncoderModel</c>)
    /// or <see cref="WordTextEncoder"/> (<c>_class_name</c> = <c>WordTextEncoder</c>) from a pipeline folder.</summary>
    /// <param name="pipelineFolder">Folder holding <c>text_encoder/</c> (and <c>tokenizer/</c> for T5).</param>
    /// <param name="t5DType">Parameter dtype for T5 (the word encoder is always float32).</param>
    /// <param name="device">Where the weights go (null: TorchSharp's default device).</param>
    /// <exception cref="FileNotFoundException"><c>text_encoder/config.json</c> or a weight file is missing.</exception>
    /// <exception cref="InvalidDataException">The class is missing or unknown, or the files are invalid.</exception>
    public static ITextEncoder FromPretrained(string pipelineFolder, ScalarType t5DType = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(pipelineFolder);
        string configPath = Path.Combine(pipelineFolder, "text_encoder", "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: no such file; a pipeline folder needs text_encoder/config.json", configPath);
        return TextConfigJson.ClassNameOf(configPath) switch
        {
            "T5EncoderModel" or "UMT5EncoderModel" => T5TextEncoder.FromPretrained(pipelineFolder, t5DType, device: device),
            "WordTextEncoder" => WordTextEncoder.FromPretrained(pipelineFolder, device),
            null => throw new InvalidDataException($"{configPath}: no '_class_name' or 'architectures'; expected 'T5EncoderModel', 'UMT5EncoderModel' or 'WordTextEncoder'"),
            var other => throw new InvalidDataException($"{configPath}: unknown text encoder class '{other}'; expected 'T5EncoderModel', 'UMT5EncoderModel' or 'WordTextEncoder'"),
        };
    }
}
