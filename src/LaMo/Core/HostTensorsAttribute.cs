namespace LaMo.Core;

/// <summary>Marks code that makes tensors on the CPU on purpose, whatever device the model is on, and says why: small
/// tables computed in fixed precision on the CPU and then moved (RoPE, sin-cos tables: the same numbers on every
/// device), random draws from a CPU generator then moved (as diffusers' <c>randn_tensor</c>: a seed gives the same noise
/// on every device), file I/O, and CPU-only checks. Everywhere else a tensor is made on the device of its input or of
/// an explicit option; <c>DeviceAgnosticTests</c> reads the compiled IL and refuses any other CPU-made tensor.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Property,
    Inherited = false)]
public sealed class HostTensorsAttribute(string reason) : Attribute
{
    /// <summary>Why these tensors belong on the CPU.</summary>
    public string Reason { get; } = reason;
}
