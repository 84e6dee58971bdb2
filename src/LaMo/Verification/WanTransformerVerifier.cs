using LaMo.Core;
using LaMo.Models.Wan;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces the golden cases <c>wan_transformer_2_1_style</c> and <c>wan_transformer_2_2_ti2v_style</c>:
/// builds the model from the sidecar config, loads the weights strictly, runs the recorded forward and compares
/// <c>sample</c>, every recorded intermediate (RoPE tables, patch embedding, condition embeddings, each block,
/// <c>norm_out</c>, <c>proj_out</c>), and the second call of the case (<c>sample_float_timestep</c> with float
/// timesteps, or <c>sample_per_sample_timestep</c> with a [B] timestep after the per-token one).</summary>
public sealed class WanTransformerVerifier : IGoldenVerifier
{
    private const string Intermediate = "intermediate.";

    /// <summary>Second calls: output name → the input holding its timestep.</summary>
    private static readonly (string Output, string Timestep)[] SecondCalls =
        [("sample_float_timestep", "timestep_float"), ("sample_per_sample_timestep", "timestep_per_sample")];

    /// <inheritdoc />
    public bool Handles(string caseName) => caseName.StartsWith("wan_transformer_", StringComparison.Ordinal);

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        var results = new List<VerifyResult>();
        using var scope = NewDisposeScope();
        var config = WanTransformerConfig.FromJsonElement(golden.Config, golden.Name + ".json config");
        using var model = new WanTransformer3DModel(config);
        model.eval();
        StateDictLoader.Load(model, golden.Weights, LoadOptions.Default, golden.Name);

        var hidden = golden.Inputs["hidden_states"];
        var text = golden.Inputs["encoder_hidden_states"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (no_grad())
        {
            var sample = model.Forward(hidden, golden.Inputs["timestep"], text, (name, t) =>
            {
                if (!golden.Outputs.ContainsKey(Intermediate + name)) return;
                seen.Add(Intermediate + name);
                results.Add(golden.Compare(Intermediate + name, t));
            });
            results.Add(golden.Compare("sample", sample));
            foreach (var (output, timestep) in SecondCalls)
            {
                if (!golden.Outputs.ContainsKey(output)) continue;
                results.Add(golden.Compare(output, model.forward(hidden, golden.Inputs[timestep], text)));
            }
        }
        // A recorded intermediate the forward never produced is a failure, not a silent skip.
        foreach (var name in golden.Outputs.Keys.Where(k => k.StartsWith(Intermediate, StringComparison.Ordinal) && !seen.Contains(k)).Order(StringComparer.Ordinal))
            results.Add(new VerifyResult(golden.Name, name, double.NaN, 0, false, "the forward produced no such intermediate"));
        return results;
    }
}
