using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace LaMo.Models.CogVideoX;

/// <summary>Activation (gradient) checkpointing of one <see cref="CogVideoXBlock"/>: the forward keeps only the block's
/// inputs; the backward runs the block again with gradients on and back-propagates through the recomputation
/// (the idea of PyTorch's <c>torch.utils.checkpoint</c>, which diffusers' CogVideoX training scripts switch on).</summary>
/// <remarks>Memory for a block's activations is held for one block at a time during backward instead of for every block
/// through the whole forward; the price is a second forward per block (~1.3× a training step). The block has no random
/// ops (dropout is 0 in CogVideoX), so the recomputation is exact. Parameter gradients are accumulated into
/// <c>.grad</c> by the inner backward, as PyTorch's reentrant checkpoint does.</remarks>
public sealed class BlockCheckpoint : MultiTensorFunction<BlockCheckpoint>
{
    private static long _recomputed;

    // Gradients handed back to LibTorch from the previous backward call. The engine copies them when the call returns,
    // so their managed wrappers are disposed at the next call (else each would pin its memory until the GC ran).
    private static readonly System.Collections.Concurrent.ConcurrentQueue<Tensor> Returned = new();

    private static void DisposeReturned()
    {
        while (Returned.TryDequeue(out var t)) t.Dispose();
    }

    /// <summary>Blocks recomputed by backward passes in this process so far (a diagnostic: shows checkpointing is on).</summary>
    public static long Recomputed => Interlocked.Read(ref _recomputed);

    private static long _checkpointed;

    /// <summary>Blocks run through the checkpoint in this process so far (a diagnostic: shows when it is skipped).</summary>
    public static long Checkpointed => Interlocked.Read(ref _checkpointed);

    /// <inheritdoc />
    public override string Name => nameof(BlockCheckpoint);

    /// <summary>Runs <paramref name="block"/> checkpointed: video [B, N, D], text [B, L, D], temb [B, T], optional RoPE.</summary>
    public static (Tensor Video, Tensor Text) Run(CogVideoXBlock block, Tensor video, Tensor text, Tensor temb, RotaryTables? rope)
    {
        DisposeReturned();
        Interlocked.Increment(ref _checkpointed);
        var outputs = apply(block, video, text, temb, rope?.Cos, rope?.Sin);
        return (outputs[0], outputs[1]);
    }

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var (block, video, text, temb) = ((CogVideoXBlock)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
        var rope = vars[4] is Tensor cos ? new RotaryTables(cos, (Tensor)vars[5]) : null;
        // Unused outputs (the last block's text) get no gradient; TorchSharp would build the zeros from tensors that the
        // transformer's dispose scopes have freed by then, so undefined gradients are handled in backward instead.
        ctx.set_materialize_grads(false);
        ctx.save_data("block", block);
        ctx.save_data("needs_grad", new[] { video.requires_grad, text.requires_grad, temb.requires_grad });
        ctx.save_for_backward([video, text, temb, .. rope is null ? Array.Empty<Tensor>() : [rope.Cos, rope.Sin]]);
        var (v, t) = block.forward(video, text, temb, rope);   // autograd is off here: nothing inside the block is kept
        return [v, t];
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        DisposeReturned();
        using var scope = NewDisposeScope();   // the recomputed block goes as soon as its gradients are out
        var block = (CogVideoXBlock)ctx.get_data("block");
        var needs = (bool[])ctx.get_data("needs_grad");
        var saved = ctx.get_saved_variables();
        var inputs = saved.Take(3).Select((x, i) => x.detach().requires_grad_(needs[i])).ToArray();
        var rope = saved.Count == 5 ? new RotaryTables(saved[3], saved[4]) : null;
        Interlocked.Increment(ref _recomputed);
        using (enable_grad())
        {
            var (v, t) = block.forward(inputs[0], inputs[1], inputs[2], rope);
            // The inner backward fills the parameters' .grad and the detached inputs' .grad (both are leaves here).
            var grads = new[] { v, t }.Select((o, i) => gradOutputs[i] is { IsInvalid: false } g ? g : zeros_like(o)).ToList();
            TorchSharp.torch.autograd.backward(new List<Tensor> { v, t }, grads);
        }
        var inputGrads = inputs.Select(x => x.grad is { } g ? g.detach().DetachFromDisposeScope() : null).ToList();
        foreach (var g in gradOutputs) g.Dispose();   // wrappers TorchSharp made for this call; the engine keeps its own references
        foreach (var g in inputGrads) if (g is not null) Returned.Enqueue(g);
        // One gradient per forward argument: none for the block and the RoPE tables.
        return [null!, .. inputGrads.Select(g => g!), null!, null!];
    }
}
