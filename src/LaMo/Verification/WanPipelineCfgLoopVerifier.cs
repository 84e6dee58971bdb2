using LaMo.Core;
using LaMo.Diffusion.Pipeline;
using LaMo.Diffusion.Schedulers.Flow;
using LaMo.Models.Wan;
using static TorchSharp.torch;
using H = LaMo.Verification.SchedulerGoldenHelpers;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>wan_pipeline_cfg_loop</c> reference case: diffusers' <c>WanPipeline.__call__</c> with no
/// text encoder or VAE (<c>output_type='latent'</c>), a tiny Wan 2.1 transformer and UniPC with the case's flow shift,
/// run through <see cref="WanPipeline.Generate"/> from the recorded initial latents and prompt embeddings. Compares the
/// scheduler's timesteps and σ after the run, each step's conditional and unconditional velocities (two separate
/// forwards), the CFG-combined velocity, the latents after each step, and the final latents.</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
public sealed class WanPipelineCfgLoopVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "wan_pipeline_cfg_loop";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var results = new List<VerifyResult>();
        using var scope = NewDisposeScope();
        var s = golden.Scalars;
        var config = WanTransformerConfig.FromJsonElement(golden.Config, golden.Name + ".json config");
        using var transformer = new WanTransformer3DModel(config);
        StateDictLoader.Load(transformer, golden.Weights, LoadOptions.Default, golden.Name);
        using var scheduler = new UniPCMultistepScheduler(UniPCSchedulerConfig.Parse(
            s.GetProperty("scheduler_config").GetRawText(), golden.Name + ".json scalars.scheduler_config"));
        using var pipeline = new WanPipeline(transformer, vae: null, scheduler, textEncoder: null)
        {
            Trace = (name, t) => { if (golden.Outputs.ContainsKey(name)) results.Add(golden.Compare(name, t)); },
        };
        var request = new GenerationRequest
        {
            PromptEmbeds = H.Input(golden, "prompt_embeds"),
            NegativePromptEmbeds = H.Input(golden, "negative_prompt_embeds"),
            InitialLatents = H.Input(golden, "latents"),
            Height = H.Int(s, "height"), Width = H.Int(s, "width"), NumFrames = H.Int(s, "num_frames"),
            NumInferenceSteps = H.Int(s, "num_inference_steps"), GuidanceScale = s.GetProperty("guidance_scale").GetDouble(),
            Decode = false,
        };
        using var result = pipeline.Generate(request);
        results.Add(golden.Compare("final_latents", result.Latents));
        results.Add(golden.Compare("timesteps", scheduler.TimestepsTensor()));
        results.Add(golden.Compare("sigmas", scheduler.SigmasTensor()));
        for (int k = 0; k < scheduler.Timesteps.Count; k++)
            results.Add(golden.Compare($"step{k}.timestep", tensor((long)scheduler.Timesteps[k])));
        return results.Concat(H.Uncovered(golden, results)).ToList();
    }
}
