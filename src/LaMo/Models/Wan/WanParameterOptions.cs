using static TorchSharp.torch;

namespace LaMo.Models.Wan;

/// <summary>Where and how the Wan modules create their parameters.</summary>
/// <param name="Device">Device (CPU when null; <c>torch.META</c> builds shapes without memory).</param>
/// <param name="DType">Parameter dtype (float32 when null), so a bf16 model never exists in float32 first. The modules
/// diffusers keeps in float32 (<c>_keep_in_fp32_modules</c>) stay float32 whatever this says.</param>
/// <param name="SkipInit">Leave linear weights uninitialised (for loading a checkpoint right after construction).</param>
public readonly record struct WanParameterOptions(Device? Device = null, ScalarType? DType = null, bool SkipInit = false)
{
    /// <summary>The same options with float32 instead of a half dtype, for the modules diffusers keeps in float32 when it
    /// loads in half precision (<c>_keep_in_fp32_modules</c>: <c>time_embedder</c>, <c>scale_shift_table</c>,
    /// <c>norm1/2/3</c>).</summary>
    public WanParameterOptions KeptInFloat32 =>
        DType is ScalarType.BFloat16 or ScalarType.Float16 ? this with { DType = ScalarType.Float32 } : this;
}
