using LaMo.Diffusion.Pipeline;
using LaMo.Models;
using LaMo.Models.Lora;
using LaMo.Motion;

namespace LaMo.Workflows;

/// <summary><c>lamo sample --pipeline WAN_FOLDER</c>: text-to-video through <see cref="WanPipeline"/> (its own scheduler,
/// CFG with the negative prompt), with an optional LoRA merged and Motion Prior Guidance on the flow step. The options that
/// only CogVideoX's loop has are refused by name.</summary>
internal static class WanSampling
{
    /// <summary>Refuses what the Wan path does not do (one line each).</summary>
    /// <exception cref="ArgumentException">Continuation, a scheduler override, dynamic CFG, first-order DPM or VAE tiling.</exception>
    public static void Check(SampleOptions o)
    {
        if (o.Scheduler is not null) throw new ArgumentException($"--scheduler {o.Scheduler}: a Wan pipeline samples with its own flow scheduler; leave it out");
        if (o.DynamicCfg) throw new ArgumentException("--dynamic-cfg is CogVideoX's CFG schedule; WanPipeline does not have it");
        if (o.FirstOrderDpm) throw new ArgumentException("--first-order-dpm is a DPM setting; a Wan pipeline samples with its own flow scheduler");
        if (o.VaeTiling) throw new ArgumentException("--vae-tiling is not supported for Wan pipelines");
    }

    /// <summary>The folder's WanPipeline with the LoRA of <paramref name="o"/> merged and its guidance attached.</summary>
    public static WanPipeline Load(SampleOptions o)
    {
        var dtype = WeightDtype.Parse(o.Dtype, "dtype");
        var device = Core.ComputeDevice.Resolve(o.Device);
        var pipe = PipelineFolder.LoadWan(o.Pipeline, dtype, textEncoderDtype: dtype, device: device);
        try
        {
            if (o.Lora is not null)
            {
                var set = LoraAdapterSet.Inject(pipe.Transformer, LoraAdapterSet.ReadConfig(o.Lora));
                set.Load(o.Lora);
                if (o.LoraScale != 1) set.Rescale(o.LoraScale);
                set.Merge();
            }
            if (o.Guidance is null) return pipe;
            var prior = MotionPriorFolder.Load(o.Predictor!, device);
            return new WanPipeline(pipe.Transformer, pipe.Vae, pipe.Scheduler, pipe.TextEncoder)
            {
                Guidance = [new MotionPriorGuidance(prior, o.Guidance)], OwnsComponents = true, ExpandTimesteps = pipe.ExpandTimesteps,
            };
        }
        catch
        {
            pipe.Dispose();
            throw;
        }
    }

    /// <summary>The scheduler class model_index.json names (for sample.json).</summary>
    public static string SchedulerClass(string pipeline) => WanModelIndex.Load(pipeline).Components["scheduler"];
}
