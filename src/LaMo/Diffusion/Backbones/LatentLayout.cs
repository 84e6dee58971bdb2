using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Backbones;

/// <summary>Where a backbone's latent video keeps its frame axis. LaMo's losses, the predictor and the latent cache use
/// <see cref="FramesFirst"/>; a backbone in another layout is converted at the seam with
/// <see cref="LatentLayouts.ToFramesFirst"/> and <see cref="LatentLayouts.FromFramesFirst"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LatentLayout>))]
public enum LatentLayout
{
    /// <summary>[B, F, C, H, W] (CogVideoX's transformer, LaMo's motion code).</summary>
    FramesFirst,

    /// <summary>[B, C, F, H, W] (Wan's transformer and the video VAEs).</summary>
    ChannelsFirst,
}

/// <summary>Conversions between a <see cref="LatentLayout"/> and LaMo's frames-first layout.</summary>
public static class LatentLayouts
{
    /// <summary>The index of the frame axis of a 5-D latent in <paramref name="layout"/>.</summary>
    public static int FrameAxis(this LatentLayout layout) => layout == LatentLayout.FramesFirst ? 1 : 2;

    /// <summary><paramref name="x"/> in <paramref name="layout"/> as [B, F, C, H, W]: <paramref name="x"/> itself when
    /// it is already frames-first (no copy, no new handle), else a permuted view.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 5-D.</exception>
    public static Tensor ToFramesFirst(this LatentLayout layout, Tensor x) => SwapFrameAndChannel(layout, x);

    /// <summary>Frames-first <paramref name="x"/> [B, F, C, H, W] in <paramref name="layout"/>: <paramref name="x"/>
    /// itself for <see cref="LatentLayout.FramesFirst"/>, else a permuted view.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 5-D.</exception>
    public static Tensor FromFramesFirst(this LatentLayout layout, Tensor x) => SwapFrameAndChannel(layout, x);

    // The two layouts differ by swapping axes 1 and 2, which is its own inverse.
    private static Tensor SwapFrameAndChannel(LatentLayout layout, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 5) throw new ArgumentException($"a latent video must be 5-D; got [{string.Join(", ", x.shape)}]", nameof(x));
        return layout == LatentLayout.FramesFirst ? x : x.permute(0, 2, 1, 3, 4);
    }
}
