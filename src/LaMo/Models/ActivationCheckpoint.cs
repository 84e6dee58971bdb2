using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace LaMo.Models;

/// <summary>Activation (gradient) checkpointing of one transformer block: the forward keeps only the block's inputs; the
/// backward runs the block again with gradients on and back-propagates through the recomputation (the idea of
/// PyTorch's <c>torch.utils.checkpoint</c>, which diffusers' CogVideoX and Wan training scripts switch on).</summary>
/// <remarks>Memory for a block's activations is held for one block at a time during backward instead of for every block
/// through the whole forward; the price is a second forward per block (~1.3× a training step). The blocks that use it
/// have no random ops (dropout is 0), so the recomputation is exact. Parameter gradients are accumulated into
/// <c>.grad</c> by the inner backward, as PyTorch's reentrant checkpoint does.</remarks>
public sealed class ActivationCheckpoint : MultiTensorFunction<ActivationCheckpoint>
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
    public override string Name => nameof(ActivationCheckpoint);

    /// <summary>Runs <paramref name="block"/> checkpointed.</summary>
    /// <param name="block">The block as a function of <paramref name="inputs"/> followed by <paramref name="constants"/>
    /// (in that order); returns its outputs.</param>
    /// <param name="inputs">Tensors that may need a gradient (hidden states, conditioning).</param>
    /// <param name="constants">Tensors that never get one (RoPE tables), or none.</param>
    public static IReadOnlyList<Tensor> Run(Func<Tensor[], Tensor[]> block, Tensor[] inputs, params Tensor[] constants)
    {
        DisposeReturned();
        Interlocked.Increment(ref _checkpointed);
        return apply([block, inputs.Length, .. inputs, .. constants]);
    }

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var block = (Func<Tensor[], Tensor[]>)vars[0];
        int inputCount = (int)vars[1];
        var tensors = vars.Skip(2).Cast<Tensor>().ToArray();
        // Unused outputs (e.g. the last CogVideoX block's text) get no gradient; TorchSharp would build the zeros from
        // tensors that the transformer's dispose scopes have freed by then, so undefined gradients are handled in backward.
        ctx.set_materialize_grads(false);
        ctx.save_data("block", block);
        ctx.save_data("needs_grad", tensors.Take(inputCount).Select(x => x.requires_grad).ToArray());
        ctx.save_for_backward([.. tensors]);
        return [.. block(tensors)];   // autograd is off here: nothing inside the block is kept
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        DisposeReturned();
        using var scope = NewDisposeScope();   // the recomputed block goes as soon as its gradients are out
        var block = (Func<Tensor[], Tensor[]>)ctx.get_data("block");
        var needs = (bool[])ctx.get_data("needs_grad");
        var saved = ctx.get_saved_variables();
        var inputs = saved.Take(needs.Length).Select((x, i) => x.detach().requires_grad_(needs[i])).ToArray();
        Interlocked.Increment(ref _recomputed);
        using (enable_grad())
        {
            var outputs = block([.. inputs, .. saved.Skip(needs.Length)]);
            // The inner backward fills the parameters' .grad and the detached inputs' .grad (both are leaves here).
            var grads = outputs.Select((o, i) => gradOutputs[i] is { IsInvalid: false } g ? g : zeros_like(o)).ToList();
            TorchSharp.torch.autograd.backward(outputs.ToList(), grads);
        }
        var inputGrads = inputs.Select(x => x.grad is { } g ? g.detach().DetachFromDisposeScope() : null).ToList();
        foreach (var g in gradOutputs) g.Dispose();   // wrappers TorchSharp made for this call; the engine keeps its own references
        foreach (var g in inputGrads) if (g is not null) Returned.Enqueue(g);
        // One gradient per forward argument: none for the block, the input count and the constants.
        return [null!, null!, .. inputGrads.Select(g => g!), .. Enumerable.Repeat<Tensor>(null!, saved.Count - needs.Length)];
    }
}
