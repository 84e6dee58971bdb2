using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using static TorchSharp.torch;

namespace LaMo.Workflows;

/// <summary><c>lamo pipeline init</c>: assembles a fresh pipeline folder from a trained VAE, a seeded random word text
/// encoder (frozen: its random features already tell captions apart; the transformer's text projection learns to read
/// them), a randomly initialised transformer of the given config, and CogVideoX-2B's DDIM scheduler config. Training
/// it with <c>lamo train --init</c> is training from scratch.</summary>
public static class PipelineInitWorkflow
{
    /// <summary>Writes the folder; the transformer's text width and length are set to the text encoder's.</summary>
    public static void Run(string outFolder, string vaeFolder, CogVideoXTransformerConfig transformerConfig, int seed)
    {
        using var vae = AutoencoderKLCogVideoX.FromPretrained(vaeFolder);
        manual_seed(seed);
        using var text = new WordTextEncoder();
        var config = (transformerConfig with
        {
            InChannels = vae.Config.LatentChannels, OutChannels = vae.Config.LatentChannels,
            TextEmbedDim = text.EmbeddingDim, MaxTextSeqLength = text.MaxSequenceLength,
        }).Validate();
        Models.CogVideoX.TransformerLimits.Check(config, "transformer config");
        using var transformer = new CogVideoXTransformer3DModel(config);
        PipelineFolder.Save(outFolder, transformer, vae, SchedulerConfig.CogVideoX2B, text);
    }
}
