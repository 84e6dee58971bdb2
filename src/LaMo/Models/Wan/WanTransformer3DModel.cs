using LaMo.Core;
using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>The Wan 2.1 / 2.2 video diffusion transformer, predicting the flow velocity from noisy latents.</summary>
/// <remarks>Port of diffusers <c>WanTransformer3DModel</c> (transformer_wan.py, v0.40) for text-to-video and Wan 2.2
/// TI2V (per-token timesteps); the image-to-video embedding is refused by the config. Field names are the checkpoint
/// keys: <c>patch_embedding</c>, <c>condition_embedder</c>, <c>blocks.{i}</c>, <c>scale_shift_table</c>,
/// <c>proj_out</c> (<c>rope</c> and <c>norm_out</c> have no parameters). Loading and saving live in
/// <c>WanTransformer3DModel.Pretrained.cs</c>.</remarks>
public sealed partial class WanTransformer3DModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Conv3d patch_embedding;
    private readonly WanConditionEmbedder condition_embedder;
    private readonly ModuleList<WanTransformerBlock> blocks;
    private readonly WanFp32LayerNorm norm_out;
    private readonly AdaptableLinear proj_out;
    private readonly Parameter scale_shift_table;
    private (int F, int H, int W, WanRotaryTables Tables)? _rope;

    /// <summary>The validated configuration the model was built from.</summary>
    public WanTransformerConfig Config { get; }

    /// <summary>Builds the model with freshly initialised weights placed as <paramref name="options"/> says (default:
    /// float32, CPU; <c>new WanParameterOptions(torch.META)</c> for a shape-only model).</summary>
    /// <exception cref="ArgumentException">Invalid config (names the field).</exception>
    /// <exception cref="NotSupportedException">Image-to-video features.</exception>
    public WanTransformer3DModel(WanTransformerConfig config, WanParameterOptions options = default) : base(nameof(WanTransformer3DModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int dim = config.InnerDim;
        var p = config.PatchSize;
        // 1. Patch embedding (RoPE tables are computed on use)
        patch_embedding = nn.Conv3d(config.InChannels, dim, (p.T, p.H, p.W), stride: (p.T, p.H, p.W), bias: true, device: options.Device, dtype: options.DType);
        // 2. Condition embeddings
        condition_embedder = new WanConditionEmbedder(dim, config.FreqDim, config.TextDim, options);
        // 3. Blocks
        blocks = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new WanTransformerBlock(config, options)).ToArray());
        // 4. Output norm and projection
        norm_out = new WanFp32LayerNorm(dim, config.Eps, elementwiseAffine: false, options.KeptInFloat32);
        proj_out = new AdaptableLinear(dim, (long)p.Volume * config.ResolvedOutChannels, true, options.Device, options.DType, !options.SkipInit);
        scale_shift_table = new Parameter(InitialTable(2, dim, options.KeptInFloat32));
        RegisterComponents();
    }

    /// <summary>diffusers' modulation table init randn(1, rows, dim)/√dim (left empty when loading).</summary>
    internal static Tensor InitialTable(int rows, int dim, WanParameterOptions options)
    {
        if (options.SkipInit || options.Device is { type: DeviceType.META })
            return empty(new long[] { 1, rows, dim }, dtype: options.DType, device: options.Device);
        using var r = randn(new long[] { 1, rows, dim }, dtype: options.DType, device: options.Device);
        return r.div(Sc(Math.Sqrt(dim)));
    }

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<WanTransformerBlock> Blocks => blocks.ToList();

    /// <summary>Recompute each block's activations during backward instead of keeping them (diffusers'
    /// <c>enable_gradient_checkpointing</c>, see <see cref="ActivationCheckpoint"/>). Only applies while gradients are
    /// being recorded.</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>The dtype the inputs must have: the patch embedding's. Not the first parameter's: the modules diffusers
    /// keeps in float32 (e.g. <c>scale_shift_table</c>) or fp32 LoRA adapters may come first in a bf16 model.</summary>
    public ScalarType InputDType => patch_embedding.weight!.dtype;

    /// <summary>Predicts the flow velocity for noisy latents.</summary>
    /// <param name="hiddenStates">Noisy latents [B, C, F, H, W] (channels before frames), F, H and W divisible by the
    /// patch.</param>
    /// <param name="timestep">A scalar, [B] (Wan 2.1 / 2.2 A14B), or [B, S] per-token (Wan 2.2 TI2V, S = the number of
    /// patches); int64 or float.</param>
    /// <param name="encoderHiddenStates">Text states [B, L, text_dim] (any L; the pipelines use 512).</param>
    /// <returns>[B, C_out, F, H, W] in the dtype of <paramref name="hiddenStates"/>.</returns>
    public override Tensor forward(Tensor hiddenStates, Tensor timestep, Tensor encoderHiddenStates) =>
        Forward(hiddenStates, timestep, encoderHiddenStates, trace: null);

    /// <summary>As <see cref="forward"/>, handing each intermediate to <paramref name="trace"/> while it is alive, named as
    /// diffusers' sub-modules (<c>rope.freqs_cos</c>, <c>patch_embedding</c>, <c>condition_embedder.temb</c>,
    /// <c>blocks.{i}</c>, <c>norm_out</c>, <c>proj_out</c>, …).</summary>
    public Tensor Forward(Tensor hiddenStates, Tensor timestep, Tensor encoderHiddenStates, Action<string, Tensor>? trace)
    {
        CheckInputs(hiddenStates, timestep, encoderHiddenStates);
        using var scope = NewDisposeScope();
        long b = hiddenStates.size(0);
        var p = Config.PatchSize;
        int ppf = (int)(hiddenStates.size(2) / p.T), pph = (int)(hiddenStates.size(3) / p.H), ppw = (int)(hiddenStates.size(4) / p.W);
        long tokens = (long)ppf * pph * ppw;

        // 1. RoPE and patches
        var rope = Rope(ppf, pph, ppw);
        trace?.Invoke("rope.freqs_cos", rope.Cos.view(1, tokens, 1, -1));
        trace?.Invoke("rope.freqs_sin", rope.Sin.view(1, tokens, 1, -1));
        var patches = SafeConv.Forward(patch_embedding, hiddenStates);                   // [B, D, F', H', W']
        trace?.Invoke("patch_embedding", patches);
        var x = patches.flatten(2).transpose(1, 2);                                         // [B, S, D], frame-major

        // 2. Conditions: per-token timesteps are flattened and unflattened again after the sinusoid
        long? seqLen = timestep.dim() == 2 ? timestep.size(1) : null;
        var flat = timestep.dim() switch { 0 => timestep.expand(b), 2 => timestep.flatten(), _ => timestep };
        var cond = condition_embedder.Embed(flat, encoderHiddenStates, seqLen, trace);
        trace?.Invoke("condition_embedder.temb", cond.Temb);
        trace?.Invoke("condition_embedder.timestep_proj", cond.TimestepProj);
        trace?.Invoke("condition_embedder.text_embedder", cond.Text);
        trace?.Invoke("condition_embedder.encoder_hidden_states", cond.Text);
        var modulation = seqLen is null ? cond.TimestepProj.unflatten(1, [6, -1])         // [B, 6, D]
                                        : cond.TimestepProj.unflatten(2, [6, -1]);        // [B, S, 6, D]

        // 3. Blocks, one dispose scope each
        for (int i = 0; i < blocks.Count; i++)
        {
            using var blockScope = NewDisposeScope();
            var block = blocks[i];
            var next = GradientCheckpointing && is_grad_enabled()
                ? ActivationCheckpoint.Run(a => [block.forward(a[0], a[1], a[2], new WanRotaryTables(a[3], a[4]))],
                    [x, cond.Text, modulation], rope.Cos, rope.Sin)[0]
                : block.forward(x, cond.Text, modulation, rope);
            trace?.Invoke($"blocks.{i}", next);
            next.MoveToOuterDisposeScope();
            blockScope.Dispose();
            x.Dispose();                                                                    // drops this alias only
            x = next;
        }

        // 4. Output head: table + temb gives shift, then scale
        var temb32 = cond.Temb.to(ScalarType.Float32);
        Tensor shift, scale;
        if (cond.Temb.dim() == 3)
        {
            var mod = scale_shift_table.unsqueeze(0).add(temb32.unsqueeze(2), Sc(1));        // [B, S, 2, D]
            shift = mod.select(2, 0); scale = mod.select(2, 1);
        }
        else
        {
            var mod = scale_shift_table.add(temb32.unsqueeze(1), Sc(1));                    // [B, 2, D]
            shift = mod.narrow(1, 0, 1); scale = mod.narrow(1, 1, 1);
        }
        var normed = norm_out.forward(x);
        trace?.Invoke("norm_out", normed);
        x = normed.mul(scale.add(Sc(1.0), Sc(1))).add(shift, Sc(1)).to(x.dtype);
        x = proj_out.forward(x);                                                            // [B, S, pt·ph·pw·C_out]
        trace?.Invoke("proj_out", x);

        // 5. Unpatchify: each token's row is (pt, ph, pw, C_out), channel last
        var output = x.reshape(b, ppf, pph, ppw, p.T, p.H, p.W, -1)
            .permute(0, 7, 1, 4, 2, 5, 3, 6)                                                 // [B, C, F', pt, H', ph, W', pw]
            .flatten(6, 7).flatten(4, 5).flatten(2, 3);                                       // [B, C, F, H, W]
        return output.MoveToOuterDisposeScope();
    }

    // The tables depend only on the patch grid; one cached entry serves a whole sampling run.
    private WanRotaryTables Rope(int f, int h, int w)
    {
        if (_rope is { } c && c.F == f && c.H == h && c.W == w) return c.Tables;
        DisposeRope();
        var t = WanRotaryPosEmbed.Tables(Config.AttentionHeadDim, f, h, w, Config.RopeMaxSeqLen);
        var tables = new WanRotaryTables(t.Cos.DetachFromDisposeScope(), t.Sin.DetachFromDisposeScope());
        _rope = (f, h, w, tables);
        return tables;
    }

    private void DisposeRope()
    {
        if (_rope is not { } c) return;
        c.Tables.Cos.Dispose(); c.Tables.Sin.Dispose();
        _rope = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeRope();
        base.Dispose(disposing);
    }

    private void CheckInputs(Tensor hiddenStates, Tensor timestep, Tensor encoderHiddenStates)
    {
        var p = Config.PatchSize;
        if (hiddenStates.dim() != 5 || hiddenStates.size(1) != Config.InChannels)
            throw new ArgumentException($"hiddenStates must be [B, {Config.InChannels}, F, H, W], got [{string.Join(", ", hiddenStates.shape)}]", nameof(hiddenStates));
        long b = hiddenStates.size(0), f = hiddenStates.size(2), h = hiddenStates.size(3), w = hiddenStates.size(4);
        if (f == 0 || h == 0 || w == 0 || f % p.T != 0 || h % p.H != 0 || w % p.W != 0)
            throw new ArgumentException($"latent frames × height × width ({f} × {h} × {w}) must be positive multiples of patch_size {p}", nameof(hiddenStates));
        foreach (var (n, axis) in new[] { (f / p.T, "frames"), (h / p.H, "rows"), (w / p.W, "columns") })
            if (n > Config.RopeMaxSeqLen)
                throw new ArgumentException($"{n} latent {axis} of patches exceed rope_max_seq_len ({Config.RopeMaxSeqLen})", nameof(hiddenStates));
        if (encoderHiddenStates.dim() != 3 || encoderHiddenStates.size(0) != b || encoderHiddenStates.size(1) == 0 || encoderHiddenStates.size(2) != Config.TextDim)
            throw new ArgumentException($"encoderHiddenStates must be [{b}, L, {Config.TextDim}] with L ≥ 1, got [{string.Join(", ", encoderHiddenStates.shape)}]", nameof(encoderHiddenStates));
        long tokens = f / p.T * (h / p.H) * (w / p.W);
        bool ok = timestep.dim() switch
        {
            0 => true,
            1 => timestep.size(0) == b,
            2 => timestep.size(0) == b && timestep.size(1) == tokens,
            _ => false,
        };
        if (!ok)
            throw new ArgumentException($"timestep must be a scalar, [{b}] or per-token [{b}, {tokens}], got [{string.Join(", ", timestep.shape)}]", nameof(timestep));
    }
}
