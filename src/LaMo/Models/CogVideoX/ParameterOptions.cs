using static TorchSharp.torch;

namespace LaMo.Models.CogVideoX;

/// <summary>Where and how the CogVideoX modules create their parameters.</summary>
/// <param name="Device">Device (CPU when null; <c>torch.META</c> builds shapes without memory).</param>
/// <param name="DType">Parameter dtype (float32 when null), so a bf16 model never exists in float32 first.</param>
/// <param name="SkipInit">Leave linear weights uninitialised (for loading a checkpoint right after construction).</param>
public readonly record struct ParameterOptions(Device? Device = null, ScalarType? DType = null, bool SkipInit = false);
