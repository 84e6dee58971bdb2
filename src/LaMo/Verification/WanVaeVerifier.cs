using LaMo.Core;
using LaMo.Models.WanVae;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>wan_vae_2_1</c> and <c>wan_vae_2_2</c> reference cases: builds
/// <see cref="AutoencoderKLWan"/> from the sidecar's <c>config</c>, loads <c>weights.*</c> strictly, encodes every
/// <c>inputs.video_&lt;tag&gt;</c> (moments, posterior mean / std / logvar, and the pipelines' normalised latents) and
/// decodes every <c>inputs.latent_&lt;tag&gt;</c> (clamped sample; and, treating the input as normalised latents, the
/// de-normalised latents and the post-processed <c>output_type='pt'</c> video), and compares every recorded output,
/// including the per-chunk <c>intermediate.*</c> sub-module outputs when the case has them.</summary>
public sealed class WanVaeVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName is "wan_vae_2_1" or "wan_vae_2_2";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var config = AutoencoderKLWanConfig.FromJson(golden.Config.GetRawText(), $"{golden.Name} sidecar config");
        using var vae = new AutoencoderKLWan(config);
        StateDictLoader.Load(vae, golden.Weights, source: $"{golden.Name} weights");
        vae.eval();
        var results = new List<VerifyResult>();
        using var noGrad = no_grad();
        foreach (var (name, input) in golden.Inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            if (name.StartsWith("video_", StringComparison.Ordinal)) Encode(golden, vae, name["video_".Length..], input, results);
            else if (name.StartsWith("latent_", StringComparison.Ordinal)) Decode(golden, vae, name["latent_".Length..], input, results);
        }
        return results.Concat(SchedulerGoldenHelpers.Uncovered(golden, results)).ToList();
    }

    private static void Encode(GoldenCase golden, AutoencoderKLWan vae, string tag, Tensor video, List<VerifyResult> results)
    {
        vae.Probe = Prober(golden, results, $"intermediate.encode_{tag}.");
        using var dist = vae.Encode(video);
        vae.Probe = null;
        Add(golden, results, $"encode_{tag}.moments", dist.Moments);
        Add(golden, results, $"encode_{tag}.latent_mean", dist.Mean);
        Add(golden, results, $"encode_{tag}.latent_std", dist.Std());
        Add(golden, results, $"encode_{tag}.latent_logvar", dist.LogVar);
        Add(golden, results, $"pipeline_encode_{tag}.latents_normalized", vae.NormalizeLatents(dist.Mode()));
    }

    private static void Decode(GoldenCase golden, AutoencoderKLWan vae, string tag, Tensor latents, List<VerifyResult> results)
    {
        vae.Probe = Prober(golden, results, $"intermediate.decode_{tag}.");
        var sample = vae.Decode(latents);
        vae.Probe = null;
        Add(golden, results, $"decode_{tag}.sample", sample);

        // WanVaeDecoderStep / WanPipeline: the input is taken as normalised latents, de-normalised, decoded, and
        // post-processed by VideoProcessor (output_type 'pt'): (x / 2 + 0.5).clamp(0, 1), frames before channels.
        var denormalized = vae.DenormalizeLatents(latents);
        Add(golden, results, $"pipeline_decode_{tag}.latents_denormalized", denormalized);
        var video = vae.Decode(denormalized);
        var pt = video.mul(Sc(0.5)).add(Sc(0.5), Sc(1)).clamp(Sc(0.0), Sc(1.0)).permute(0, 2, 1, 3, 4);   // [B, F, C, H, W]
        Add(golden, results, $"pipeline_decode_{tag}.video_pt", pt);
    }

    private static Action<string, Tensor> Prober(GoldenCase golden, List<VerifyResult> results, string prefix) =>
        (module, tensor) => Add(golden, results, prefix + module, tensor);

    private static void Add(GoldenCase golden, List<VerifyResult> results, string output, Tensor actual)
    {
        if (golden.Outputs.ContainsKey(output)) results.Add(golden.Compare(output, actual));
    }
}
