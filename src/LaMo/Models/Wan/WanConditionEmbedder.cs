using TorchSharp;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>The conditions a Wan block reads: the time embedding, its six-fold modulation projection and the
/// projected text.</summary>
/// <param name="Temb">Time embedding [B, D], or [B, S, D] with per-token timesteps.</param>
/// <param name="TimestepProj">time_proj(SiLU(temb)) [B, 6·D], or [B, S, 6·D].</param>
/// <param name="Text">Projected text [B, L, D].</param>
public sealed record WanConditions(Tensor Temb, Tensor TimestepProj, Tensor Text);

/// <summary>Time and text conditioning of the Wan transformer.</summary>
/// <remarks>Port of diffusers <c>WanTimeTextImageEmbedding</c> (transformer_wan.py, v0.40) without the image embedder.
/// Keys: <c>time_embedder.*</c>, <c>time_proj.*</c> [6·D, D], <c>text_embedder.*</c>. <c>time_embedder</c> stays float32
/// (diffusers' <c>_keep_in_fp32_modules</c>); its output is cast to the text dtype before <c>time_proj</c>.</remarks>
public sealed class WanConditionEmbedder : nn.Module
{
    private readonly WanTimestepEmbedding time_embedder;
    private readonly AdaptableLinear time_proj;
    private readonly WanTextProjection text_embedder;
    private readonly int _freqDim;

    /// <summary>Creates the embedder for width <paramref name="dim"/>.</summary>
    public WanConditionEmbedder(int dim, int freqDim, int textDim, WanParameterOptions options = default) : base(nameof(WanConditionEmbedder))
    {
        _freqDim = freqDim;
        time_embedder = new WanTimestepEmbedding(freqDim, dim, options.KeptInFloat32);
        time_proj = new AdaptableLinear(dim, 6L * dim, true, options.Device, options.DType, !options.SkipInit);
        text_embedder = new WanTextProjection(textDim, dim, options);
        RegisterComponents();
    }

    /// <summary>Embeds <paramref name="timestep"/> ([N] = [B], or [B·S] flattened per-token timesteps with
    /// <paramref name="timestepSeqLen"/> = S) and the text [B, L, text_dim].</summary>
    /// <param name="timestep">Flattened timesteps, int64 or float.</param>
    /// <param name="encoderHiddenStates">Text encoder states.</param>
    /// <param name="timestepSeqLen">S for per-token timesteps, otherwise null.</param>
    /// <param name="trace">Receives <c>timesteps_proj</c> (the sinusoid) while it is alive; may be null.</param>
    public WanConditions Embed(Tensor timestep, Tensor encoderHiddenStates, long? timestepSeqLen, Action<string, Tensor>? trace = null)
    {
        using var scope = NewDisposeScope();
        var sinusoid = WanTimestepEmbedding.Sinusoid(timestep, _freqDim);                  // [N, freq_dim] float32
        trace?.Invoke("condition_embedder.timesteps_proj", sinusoid);
        if (timestepSeqLen is { } s) sinusoid = sinusoid.unflatten(0, [-1, s]);          // [B, S, freq_dim]
        var temb = time_embedder.forward(sinusoid.to(time_embedder.DType)).to(encoderHiddenStates.dtype);
        using var act = nn.functional.silu(temb);
        var timestepProj = time_proj.forward(act);
        var text = text_embedder.forward(encoderHiddenStates);
        return new WanConditions(temb.MoveToOuterDisposeScope(), timestepProj.MoveToOuterDisposeScope(), text.MoveToOuterDisposeScope());
    }
}
