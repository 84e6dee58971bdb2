using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>Convolutions whose input gradient is right on every CPU: every convolution of the library goes through here.</summary>
/// <remarks>LibTorch 2.10's oneDNN computes the fp32 conv input gradient wrongly (uninitialised reads: wrong values,
/// NaN, different on each run) when the output channel count is not a multiple of its channel block, 16 on AVX-512 and
/// 8 on AVX2, and the batch is above 1 (docs/numerics.md). When the input gradient will be computed, this pads the
/// output channels with zero filters to a multiple of 16 and drops them after the convolution: the kept channels are
/// the same convolution, and the backward kernel sees a full block. Measured against turning oneDNN off or capping its
/// ISA (both cost 2-8× on the VAE and 150× on bf16 matmuls), this costs only the extra filters of the convolutions with
/// an odd channel count (bench/results.md, section 8). Nothing changes when no input gradient is needed.</remarks>
public static class SafeConv
{
    /// <summary>Output channels are padded to a multiple of this (AVX-512's fp32 block; a multiple of AVX2's 8).</summary>
    public const int ChannelBlock = 16;

    /// <summary>When false, every call is the plain convolution (for measuring and demonstrating the fault).</summary>
    public static bool Enabled { get; set; } =
        OneDnnWorkaround.ModeFromEnvironment(out _) == OneDnnWorkaround.Mode.PadChannels;

    /// <summary>The module's convolution (Conv2d or Conv3d, zero padding), safe for the input gradient.</summary>
    public static Tensor Forward(Convolution conv, Tensor input)
    {
        if (!NeedsPadding(input, conv.weight!, conv.groups)) return conv.forward(input);
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null || conv.transposed)
            throw new NotSupportedException("SafeConv supports explicitly zero-padded, non-transposed convolutions only");
        return Padded(input, conv.weight!, conv.bias, conv.stride, conv.padding!, conv.dilation);
    }

    /// <summary><c>conv2d</c> / <c>conv3d</c> (chosen by the weight's rank), safe for the input gradient.</summary>
    public static Tensor Functional(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[]? dilation = null)
    {
        dilation ??= Enumerable.Repeat(1L, stride.Length).ToArray();
        return NeedsPadding(input, weight, 1) ? Padded(input, weight, bias, stride, padding, dilation) : Plain(input, weight, bias, stride, padding, dilation);
    }

    /// <summary>True when autograd will ask this convolution for its input gradient with an output channel count that
    /// the faulty kernel gets wrong.</summary>
    public static bool NeedsPadding(Tensor input, Tensor weight, long groups) =>
        Enabled && groups == 1 && weight.shape[0] % ChannelBlock != 0 && input.requires_grad && is_grad_enabled()
        && input.device_type == DeviceType.CPU;

    private static Tensor Padded(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation)
    {
        long cout = weight.shape[0], extra = ChannelBlock - cout % ChannelBlock;
        using var scope = NewDisposeScope();
        var w = cat([weight, zeros([extra, .. weight.shape[1..]], weight.dtype, weight.device)], 0);
        var b = bias is null ? null : cat([bias, zeros([extra], bias.dtype, bias.device)], 0);
        return Plain(input, w, b, stride, padding, dilation).narrow(1, 0, cout).MoveToOuterDisposeScope();
    }

    private static Tensor Plain(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation) =>
        weight.dim() switch
        {
            4 => nn.functional.conv2d(input, weight, bias, stride, padding, dilation),
            5 => nn.functional.conv3d(input, weight, bias, stride, padding, dilation),
            _ => throw new ArgumentException($"SafeConv handles 2-D and 3-D convolutions; weight has rank {weight.dim()}"),
        };
}
