using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using LaMo.Models.Wan;
using LaMo.Models.WanVae;
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

    /// <summary>The default tiny Wan transformer config of <c>lamo pipeline init --family wan</c> (relative to the repository).</summary>
    public const string WanTransformerConfigPath = "configs/tiny-wan/transformer/config.json";

    /// <summary>The default Wan VAE of <c>lamo pipeline init --family wan</c> (a config, so the VAE is freshly initialised),
    /// and the default architecture of <c>lamo vae train --family wan</c>.</summary>
    public const string WanVaeConfigPath = "configs/tiny-wan/vae/config.json";

    /// <summary>Writes a Wan pipeline folder (<c>model_index.json</c> naming WanPipeline): a Wan VAE, a seeded random word
    /// text encoder, a random Wan transformer of <paramref name="transformerConfig"/> (latent channels and text width set
    /// to the VAE's and the encoder's) and Wan 2.1's UniPC scheduler (flow shift 3, its 480p value).</summary>
    /// <param name="vae">A Wan VAE folder (weights + config.json: loaded as trained, e.g. <c>OUT/vae</c> of
    /// <c>lamo vae train --family wan</c>, whose config carries latents_mean / latents_std fitted on its training clips)
    /// or an AutoencoderKLWan config.json (freshly initialised with <paramref name="seed"/>: its latents are a fixed random
    /// encoding, normalised with the config's latents_mean / latents_std).</param>
    /// <returns>True when the VAE was freshly initialised.</returns>
    public static bool RunWan(string outFolder, string vae, WanTransformerConfig transformerConfig, int seed)
    {
        manual_seed(seed);
        bool fresh = File.Exists(vae);
        using var wanVae = fresh ? new AutoencoderKLWan(WanVaeLimits.Load(vae)) : AutoencoderKLWan.FromPretrained(vae);
        var text = new WordTextEncoder();
        var config = transformerConfig with { InChannels = wanVae.Config.ZDim, OutChannels = wanVae.Config.ZDim, TextDim = text.EmbeddingDim };
        WanTransformerLimits.Check(config, "transformer config");
        var transformer = new WanTransformer3DModel(config);
        var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan(3.0));
        using var pipeline = new WanPipeline(transformer, wanVae, scheduler, text);   // components disposed below
        PipelineFolder.SaveWan(outFolder, pipeline);
        transformer.Dispose(); scheduler.Dispose(); text.Dispose();
        return fresh;
    }
}
