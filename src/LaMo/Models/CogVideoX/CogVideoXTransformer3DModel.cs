using TorchSharp;
using TorchSharp.Modules;
using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>The CogVideoX 1.0 video diffusion transformer (2B and 5B), predicting v from noisy latents.</summary>
/// <remarks>Port of diffusers <c>CogVideoXTransformer3DModel</c> (cogvideox_transformer_3d.py, v0.33) for
/// <c>patch_size_t=None</c>. Field names are the checkpoint keys: <c>patch_embed</c>, <c>time_embedding</c>,
/// <c>transformer_blocks.{i}</c>, <c>norm_final</c>, <c>norm_out</c>, <c>proj_out</c>. Loading and saving live in
/// <c>CogVideoXTransformer3DModel.Pretrained.cs</c>.</remarks>
public sealed partial class CogVideoXTransformer3DModel : nn.Module<Tensor, Tensor, Tensor, RotaryTables?, Tensor>
{
    private readonly CogVideoXPatchEmbed patch_embed;
    private readonly Dropout embedding_dropout;
    private readonly CogVideoXTimestepEmbedding time_embedding;
    private readonly ModuleList<CogVideoXBlock> transformer_blocks;
    private readonly LayerNorm norm_final;
    private readonly CogVideoXAdaLayerNorm norm_out;
    private readonly AdaptableLinear proj_out;

    /// <summary>The validated configuration the model was built from.</summary>
    public CogVideoXTransformerConfig Config { get; }

    /// <summary>Builds the model with freshly initialised weights placed as <paramref name="options"/> says (default: float32, CPU)
    /// (use <c>new ParameterOptions(torch.META)</c> for a shape-only model).</summary>
    /// <exception cref="ArgumentException">Invalid config (names the field).</exception>
    /// <exception cref="NotSupportedException">CogVideoX 1.5 / I2V features.</exception>
    public CogVideoXTransformer3DModel(CogVideoXTransformerConfig config, ParameterOptions options = default) : base(nameof(CogVideoXTransformer3DModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int dim = config.InnerDim;
        // 1. Patch embedding
        patch_embed = new CogVideoXPatchEmbed(config, options);
        embedding_dropout = nn.Dropout(config.Dropout);
        // 2. Time embeddings (time_proj is the parameter-free SinusoidalEmbedding)
        time_embedding = new CogVideoXTimestepEmbedding(dim, config.TimeEmbedDim, options);
        // 3. Spatio-temporal blocks
        transformer_blocks = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new CogVideoXBlock(config, options)).ToArray());
        norm_final = nn.LayerNorm(dim, config.NormEps, config.NormElementwiseAffine, config.NormElementwiseAffine, device: options.Device, dtype: options.DType);
        // 4. Output
        norm_out = new CogVideoXAdaLayerNorm(config.TimeEmbedDim, dim, config.NormElementwiseAffine, config.NormEps, options);
        proj_out = new AdaptableLinear(dim, (long)config.PatchSize * config.PatchSize * config.ResolvedOutChannels, true, options.Device, options.DType, !options.SkipInit);
        RegisterComponents();
    }

    /// <summary>The patch embedding (exposes the sin-cos table for verification).</summary>
    public CogVideoXPatchEmbed PatchEmbed => patch_embed;

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<CogVideoXBlock> Blocks => transformer_blocks.ToList();

    /// <summary>Recompute each block's activations during backward instead of keeping them (diffusers'
    /// <c>enable_gradient_checkpointing</c>): activation memory of one block instead of all, for ~1.3× step time. Only
    /// applies while gradients are being recorded.</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>Predicts the model output (v for CogVideoX) for noisy latents.</summary>
    /// <param name="hiddenStates">Noisy latents [B, F, C, H, W] (frames first), H and W divisible by the patch size.</param>
    /// <param name="encoderHiddenStates">Text states [B, L, D_text]; L must equal <c>max_text_seq_length</c> without RoPE.</param>
    /// <param name="timestep">[B] (or a scalar, broadcast), int64 or float.</param>
    /// <param name="rope">RoPE tables from <see cref="CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings"/> when
    /// <c>use_rotary_positional_embeddings</c>, otherwise null.</param>
    /// <returns>[B, F, C_out, H, W] in the dtype of <paramref name="hiddenStates"/>.</returns>
    /// <remarks>Each block runs in its own dispose scope, so only the running video/text states survive between blocks.</remarks>
    public override Tensor forward(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep, RotaryTables? rope)
    {
        CheckInputs(hiddenStates, encoderHiddenStates, timestep, rope);
        using var scope = NewDisposeScope();
        long b = hiddenStates.size(0), f = hiddenStates.size(1), h = hiddenStates.size(3), w = hiddenStates.size(4);
        int p = Config.PatchSize;
        var t = timestep.dim() == 0 ? timestep.expand(b) : timestep;

        // 1. Time embedding
        var tEmb = CogVideoXTimestepEmbedding.SinusoidalEmbedding(t, Config.InnerDim, Config.FlipSinToCos, Config.FreqShift)
            .to(hiddenStates.dtype);                                                      // [B, D]
        var emb = time_embedding.forward(tEmb);                                           // [B, T]

        // 2. Patch embedding
        var joint = embedding_dropout.forward(patch_embed.forward(encoderHiddenStates, hiddenStates));   // [B, L+N, D]
        long textLen = encoderHiddenStates.size(1);
        var text = joint.narrow(1, 0, textLen);
        var video = joint.narrow(1, textLen, joint.size(1) - textLen);

        // 3. Blocks, one dispose scope each
        foreach (var block in transformer_blocks)
        {
            using var blockScope = NewDisposeScope();
            var (nv, nt) = GradientCheckpointing && is_grad_enabled()
                ? Checkpointed(block, video, text, emb, rope)
                : block.forward(video, text, emb, rope);
            nv.MoveToOuterDisposeScope(); nt.MoveToOuterDisposeScope();
            blockScope.Dispose();
            video.Dispose(); text.Dispose();                                              // only drops this alias; autograd keeps what it needs
            video = nv; text = nt;
        }

        // 4. Final norms (norm_final is per token: norming [text ; video] and slicing equals norming video alone)
        video = norm_final.forward(video);
        video = norm_out.forward(video, emb);
        video = proj_out.forward(video);                                                  // [B, N, p·p·C_out]

        // 5. Unpatchify
        var output = video.reshape(b, f, h / p, w / p, -1, p, p)                          // [B, F, H/p, W/p, C, p, p]
            .permute(0, 1, 4, 2, 5, 3, 6)                                                 // [B, F, C, H/p, p, W/p, p]
            .flatten(5, 6).flatten(3, 4);                                                 // [B, F, C, H, W]
        return output.MoveToOuterDisposeScope();
    }

    private static (Tensor Video, Tensor Text) Checkpointed(CogVideoXBlock block, Tensor video, Tensor text, Tensor emb, RotaryTables? rope)
    {
        var outputs = ActivationCheckpoint.Run(
            a => { var (v, t) = block.forward(a[0], a[1], a[2], a.Length == 5 ? new RotaryTables(a[3], a[4]) : null); return [v, t]; },
            [video, text, emb], rope is null ? [] : [rope.Cos, rope.Sin]);
        return (outputs[0], outputs[1]);
    }

    private void CheckInputs(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep, RotaryTables? rope)
    {
        if (hiddenStates.dim() != 5 || hiddenStates.size(2) != Config.InChannels)
            throw new ArgumentException($"hiddenStates must be [B, F, {Config.InChannels}, H, W], got [{string.Join(", ", hiddenStates.shape)}]", nameof(hiddenStates));
        long b = hiddenStates.size(0), h = hiddenStates.size(3), w = hiddenStates.size(4);
        if (h % Config.PatchSize != 0 || w % Config.PatchSize != 0)
            throw new ArgumentException($"latent height × width ({h} × {w}) must be divisible by patch_size ({Config.PatchSize})", nameof(hiddenStates));
        if (encoderHiddenStates.dim() != 3 || encoderHiddenStates.size(0) != b || encoderHiddenStates.size(2) != Config.TextEmbedDim)
            throw new ArgumentException($"encoderHiddenStates must be [{b}, L, {Config.TextEmbedDim}], got [{string.Join(", ", encoderHiddenStates.shape)}]", nameof(encoderHiddenStates));
        if (!Config.UseRotaryPositionalEmbeddings && encoderHiddenStates.size(1) != Config.MaxTextSeqLength)
            throw new ArgumentException($"encoderHiddenStates length ({encoderHiddenStates.size(1)}) must equal max_text_seq_length ({Config.MaxTextSeqLength}) with sin-cos positions", nameof(encoderHiddenStates));
        if (!(timestep.dim() == 0 || (timestep.dim() == 1 && timestep.size(0) == b)))
            throw new ArgumentException($"timestep must be a scalar or [{b}], got [{string.Join(", ", timestep.shape)}]", nameof(timestep));
        long tokens = hiddenStates.size(1) * (h / Config.PatchSize) * (w / Config.PatchSize);
        if (Config.UseRotaryPositionalEmbeddings)
        {
            if (rope is null) throw new ArgumentException("this model uses RoPE: pass the tables from CogVideoXRotaryEmbedding.PrepareRotaryPositionalEmbeddings", nameof(rope));
            long[] want = [tokens, Config.AttentionHeadDim];
            if (!rope.Cos.shape.SequenceEqual(want) || !rope.Sin.shape.SequenceEqual(want))
                throw new ArgumentException($"RoPE tables must be [{tokens}, {Config.AttentionHeadDim}], got cos [{string.Join(", ", rope.Cos.shape)}], sin [{string.Join(", ", rope.Sin.shape)}]", nameof(rope));
        }
        else if (rope is not null)
            throw new ArgumentException("this model uses sin-cos positions (use_rotary_positional_embeddings=false); rope must be null", nameof(rope));
    }
}
