using LaMo.Models.CogVideoX;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces the golden cases <c>cogvideox_transformer_sincos_2b_style</c> and
/// <c>cogvideox_transformer_rope_5b_style</c>: builds the model from the sidecar config, loads the weights strictly,
/// runs the recorded forward and compares <c>sample</c>, plus the sin-cos table or the pipeline RoPE tables.</summary>
public sealed class CogVideoXTransformerVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName.StartsWith("cogvideox_transformer_", StringComparison.Ordinal);

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        var results = new List<VerifyResult>();
        using var scope = NewDisposeScope();
        var config = CogVideoXTransformerConfig.FromJsonElement(golden.Config, golden.Name + ".json config");
        using var model = new CogVideoXTransformer3DModel(config);
        model.eval();
        StateDictLoader.Load(model, golden.Weights, LoadOptions.Default, golden.Name);

        var hidden = golden.Inputs["hidden_states"];
        var text = golden.Inputs["encoder_hidden_states"];
        var timestep = golden.Inputs["timestep"];
        RotaryTables? rope = null;
        if (config.UseRotaryPositionalEmbeddings)
        {
            var s = golden.Scalars;
            var tables = CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings(config,
                s.GetProperty("rotary_height_px").GetInt32(), s.GetProperty("rotary_width_px").GetInt32(),
                s.GetProperty("rotary_num_frames").GetInt32(), s.GetProperty("vae_scale_factor_spatial").GetInt32());
            results.Add(golden.Compare("pipeline_rotary_cos", tables.Cos));
            results.Add(golden.Compare("pipeline_rotary_sin", tables.Sin));
            // The forward uses the recorded inputs, so a helper bug cannot hide a model bug (or vice versa).
            rope = new RotaryTables(golden.Inputs["image_rotary_emb_cos"], golden.Inputs["image_rotary_emb_sin"]);
        }
        else
        {
            long f = hidden.size(1);
            int frames = (int)(f - 1) * config.TemporalCompressionRatio + 1;
            results.Add(golden.Compare("positional_embedding", model.PatchEmbed.PositionalEmbedding((int)hidden.size(3), (int)hidden.size(4), frames)));
        }
        using (no_grad())
        {
            var sample = model.forward(hidden, text, timestep, rope);
            results.Add(golden.Compare("sample", sample));
        }
        return results;
    }
}
