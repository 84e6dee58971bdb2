using LaMo.Models.CogVideoXVae;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces the <c>cogvideox_vae</c> reference case: builds <see cref="AutoencoderKLCogVideoX"/> from the
/// sidecar's <c>config</c>, loads <c>weights.*</c> strictly, encodes every <c>inputs.video_&lt;tag&gt;</c> (moments,
/// latent_mean, latent_logvar) and decodes every <c>inputs.latent_&lt;tag&gt;</c> (sample) with diffusers' default
/// chunking, and compares every recorded output, including the <c>intermediate.*</c> sub-module outputs.</summary>
public sealed class CogVideoXVaeVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "cogvideox_vae";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        ArgumentNullException.ThrowIfNull(golden);
        var config = AutoencoderKLCogVideoXConfig.FromJson(golden.Config.GetRawText(), $"{golden.Name} sidecar config");
        using var vae = new AutoencoderKLCogVideoX(config);
        StateDictLoader.Load(vae, golden.Weights, source: $"{golden.Name} weights");
        vae.eval();
        var results = new List<VerifyResult>();
        using var noGrad = no_grad();
        foreach (var (name, input) in golden.Inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            if (name.StartsWith("video_", StringComparison.Ordinal))
            {
                string tag = "encode_" + name["video_".Length..];
                vae.Encoder.Probe = Prober(golden, results, $"intermediate.{tag}.encoder.");
                using var dist = vae.Encode(input);
                vae.Encoder.Probe = null;
                Add(golden, results, $"{tag}.moments", dist.Moments);
                Add(golden, results, $"{tag}.latent_mean", dist.Mean);
                Add(golden, results, $"{tag}.latent_logvar", dist.LogVar);
            }
            else if (name.StartsWith("latent_", StringComparison.Ordinal))
            {
                string tag = "decode_" + name["latent_".Length..];
                vae.Decoder.Probe = Prober(golden, results, $"intermediate.{tag}.decoder.");
                using var sample = vae.Decode(input);
                vae.Decoder.Probe = null;
                Add(golden, results, $"{tag}.sample", sample);
            }
        }
        var covered = results.Select(r => r.Output).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in golden.Outputs.Keys.Where(k => !covered.Contains(k)).Order(StringComparer.Ordinal))
            results.Add(new VerifyResult(golden.Name, missing, double.NaN, 0, false, "output not reproduced by the verifier"));
        return results;
    }

    private static Action<string, Tensor> Prober(GoldenCase golden, List<VerifyResult> results, string prefix) =>
        (module, tensor) => Add(golden, results, prefix + module, tensor);

    private static void Add(GoldenCase golden, List<VerifyResult> results, string output, Tensor actual)
    {
        if (golden.Outputs.ContainsKey(output)) results.Add(golden.Compare(output, actual));
    }
}
