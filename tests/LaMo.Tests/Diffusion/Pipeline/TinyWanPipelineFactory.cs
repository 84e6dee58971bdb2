using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.Text;
using LaMo.Models.Wan;
using LaMo.Models.WanVae;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Pipeline;

/// <summary>A random tiny Wan pipeline: word text encoder (width 32), 2-layer Wan transformer with 4 latent channels,
/// a 3-level Wan 2.1-style VAE (8× space, 4× time, non-trivial latents_mean/std) and UniPC with shift 3.</summary>
internal static class TinyWanPipelineFactory
{
    public static WanTransformerConfig TransformerConfig => WanTransformerPresets.Tiny with { InChannels = 4, OutChannels = 4 };

    public static AutoencoderKLWanConfig VaeConfig { get; } = new()
    {
        BaseDim = 4, ZDim = 4, DimMult = [1, 2, 2, 2], NumResBlocks = 1, TemperalDownsample = [false, true, true],
        LatentsMean = [0.1, -0.2, 0.3, 0.0], LatentsStd = [1.5, 0.5, 2.0, 1.0],
    };

    public static WanPipeline Create(int seed = 0, IFlowScheduler? scheduler = null)
    {
        manual_seed(seed);
        var text = new WordTextEncoder(new WordTextEncoderConfig { EmbeddingDim = 32 });
        var transformer = new WanTransformer3DModel(TransformerConfig);
        var vae = new AutoencoderKLWan(VaeConfig);
        return new WanPipeline(transformer, vae, scheduler ?? new UniPCMultistepScheduler(UniPCSchedulerConfig.Wan(3.0)), text) { OwnsComponents = true };
    }

    public static GenerationRequest Request(long seed = 1) => new()
    {
        Prompts = ["a red ball rolls to the right", "a blue ball falls"],
        NumFrames = 5, Height = 32, Width = 48, NumInferenceSteps = 3, GuidanceScale = 4, Seed = seed,
    };
}
