using LaMo.Core;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>The micro motion field f_φ(z_f, p) → Δẑ_f: a prompt-conditioned 2-D CNN applied to single latent
/// frames [N, C, H, W] (frames folded into the batch). docs/method.md §1.</summary>
/// <remarks>Port of LaMo <c>TemporalConsistencyPredictor</c> (physical_motion_lamo.py @55a3daa); field names are
/// its state-dict keys: <c>input_proj</c>, <c>blocks.N.*</c>, <c>output_proj</c>, <c>prompt_proj</c>, <c>null_prompt</c>.
/// A fresh prior outputs exactly 0 (zero head) and ignores the prompt (zero FiLM heads).</remarks>
public sealed class MotionPrior : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Conv2d input_proj;
    private readonly ModuleList<FiLMResBlock> blocks;
    private readonly Conv2d output_proj;
    private readonly Linear? prompt_proj;
    private readonly Parameter? null_prompt;
#pragma warning restore IDE1006

    /// <summary>The configuration this prior was built from.</summary>
    public MotionPriorConfig Config { get; }

    /// <summary>Builds a freshly initialised prior: prompt_proj ~ N(0, 0.02) with zero bias, zero null prompt,
    /// zero FiLM heads, zero head, GroupNorm ones/zeros, PyTorch-default convolutions.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    public MotionPrior(MotionPriorConfig config, Device? device = null) : base(nameof(MotionPrior))
    {
        Config = config.Validate();
        input_proj = nn.Conv2d(config.StemInChannels, config.HiddenChannels, 3, padding: 1, device: device);
        int? condDim = config.UsePromptCond ? config.PromptCondDim : null;
        int? seHidden = config.UseSe ? config.SeHiddenChannels : null;
        blocks = new ModuleList<FiLMResBlock>(Enumerable.Range(0, config.NumResBlocks)
            .Select(_ => new FiLMResBlock(config.HiddenChannels, config.NumGroups, seHidden, condDim, device)).ToArray());
        output_proj = nn.Conv2d(config.HiddenChannels, config.InChannels, 3, padding: 1, device: device);
        if (config.UsePromptCond)
        {
            prompt_proj = nn.Linear(config.PromptTextDim, config.PromptCondDim, device: device);
            null_prompt = new Parameter(zeros(config.PromptTextDim, device: device));
        }
        using (no_grad())
        {
            output_proj.weight.zero_();
            output_proj.bias!.zero_();
            if (prompt_proj is not null) { nn.init.normal_(prompt_proj.weight, 0.0, 0.02); prompt_proj.bias!.zero_(); }
        }
        RegisterComponents();
    }

    /// <summary>Mean-pools prompt embeddings [B, L, D] → [B, D]: plain mean over all L positions (padding included,
    /// as the released code does) or, with <paramref name="attentionMask"/> [B, L], a masked mean (denominator ≥ 1).</summary>
    /// <exception cref="ArgumentException">The embeddings are not 3-D.</exception>
    public static Tensor PoolPrompt(Tensor promptEmbeds, Tensor? attentionMask = null)
    {
        if (promptEmbeds.dim() != 3)
            throw new ArgumentException($"prompt_embeds must be [B, L, D]; got [{string.Join(", ", promptEmbeds.shape)}]", nameof(promptEmbeds));
        if (attentionMask is null) return promptEmbeds.mean([1L]);
        var mask = attentionMask.to_type(promptEmbeds.dtype).unsqueeze(-1);   // [B, L, 1]
        return (promptEmbeds * mask).sum(1) / mask.sum(1).clamp_min(Sc(1.0));
    }

    /// <summary>The FiLM condition c = GELU(prompt_proj(p)) [N, d_cond] for <paramref name="n"/> rows, or null when
    /// prompt conditioning is off. <paramref name="promptPooled"/>: [N, D] or [B, D] with N a multiple of B (row n uses
    /// prompt n // (N/B)); null selects the learned null prompt.</summary>
    /// <exception cref="ArgumentException">The prompt cannot be broadcast to <paramref name="n"/> rows.</exception>
    public Tensor? ProjectPrompt(Tensor? promptPooled, long n, ScalarType dtype = ScalarType.Float32)
    {
        if (prompt_proj is null || null_prompt is null) return null;
        Tensor p;
        if (promptPooled is null) p = null_prompt.to_type(dtype).unsqueeze(0).expand(n, -1);   // [N, D]
        else
        {
            p = promptPooled.to_type(dtype);
            if (p.dim() != 2)
                throw new ArgumentException($"prompt_pooled must be [B, D_text] or [N, D_text]; got [{string.Join(", ", p.shape)}]", nameof(promptPooled));
            long b = p.shape[0];
            if (b != n)
            {
                if (n % b != 0)
                    throw new ArgumentException($"cannot broadcast prompt batch {b} to {n} rows (rows must be a multiple of the prompt batch)", nameof(promptPooled));
                p = p.unsqueeze(1).expand(-1, n / b, -1).reshape(n, -1);   // [B, D] → [B, N/B, D] → [N, D]
            }
        }
        return nn.functional.gelu(prompt_proj.forward(p));
    }

    /// <summary>Δẑ for single frames <paramref name="z"/> [N, C, H, W] with the learned null prompt.</summary>
    public override Tensor forward(Tensor z) => forward(z, null);

    /// <summary>Δẑ [N, C, H, W] for frames <paramref name="z"/> [N, C, H, W], pooled prompt
    /// <paramref name="promptPooled"/> ([N or B, D_text], null = null prompt) and, with use_prev_delta, the previous
    /// change <paramref name="prevDelta"/> [N, C, H, W] (zeros when null).</summary>
    public Tensor forward(Tensor z, Tensor? promptPooled, Tensor? prevDelta = null) => Forward(z, promptPooled, prevDelta, null);

    /// <summary>The forward pass, reporting named intermediates (input_proj, blocks.N, output_proj) to <paramref name="observe"/>.</summary>
    internal Tensor Forward(Tensor z, Tensor? promptPooled, Tensor? prevDelta, Action<string, Tensor>? observe)
    {
        var x = z.to_type(input_proj.weight.dtype);
        if (Config.UsePrevDelta)
            x = cat([x, prevDelta is null ? zeros_like(x) : prevDelta.to_type(x.dtype)], 1);   // [N, 2C, H, W]
        var cond = ProjectPrompt(promptPooled, x.shape[0], x.dtype);
        var h = SafeConv.Forward(input_proj, x);
        observe?.Invoke("input_proj", h);
        h = nn.functional.gelu(h);
        for (int i = 0; i < blocks.Count; i++)
        {
            h = blocks[i].forward(h, cond);
            observe?.Invoke($"blocks.{i}", h);
        }
        var delta = SafeConv.Forward(output_proj, h);
        observe?.Invoke("output_proj", delta);
        return delta;
    }
}
