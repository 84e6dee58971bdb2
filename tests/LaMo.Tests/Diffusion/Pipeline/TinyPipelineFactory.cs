using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers;
using LaMo.Models.CogVideoX;
using LaMo.Models.CogVideoXVae;
using LaMo.Models.Text;
using static TorchSharp.torch;

namespace LaMo.Tests.Diffusion.Pipeline;

/// <summary>A random tiny pipeline (word text encoder, 2-layer transformer, tiny VAE, 2B DDIM or DPM scheduler).</summary>
internal static class TinyPipelineFactory
{
    public static CogVideoXTransformerConfig TransformerConfig => CogVideoXTransformerPresets.Tiny with
    {
        InChannels = 4, OutChannels = 4, TextEmbedDim = 64, MaxTextSeqLength = 32, SampleHeight = 8, SampleWidth = 8,
    };

    public static CogVideoXPipeline Create(int seed = 0, string scheduler = SchedulerFactory.DDIM, bool rope = true)
    {
        manual_seed(seed);
        var text = new WordTextEncoder();
        var transformer = new CogVideoXTransformer3DModel(TransformerConfig with { UseRotaryPositionalEmbeddings = rope });
        var vae = new AutoencoderKLCogVideoX(AutoencoderKLCogVideoXConfig.Tiny);
        var sched = SchedulerFactory.Create(SchedulerConfig.CogVideoX2B, scheduler);
        return new CogVideoXPipeline(transformer, vae, sched, text) { OwnsComponents = true };
    }

    public static GenerationRequest Request(long seed = 1) => new()
    {
        Prompts = ["a red ball rolls to the right", "a blue ball falls"],
        NumFrames = 9, Height = 32, Width = 32, NumInferenceSteps = 4, GuidanceScale = 3, Seed = seed,
    };
}
