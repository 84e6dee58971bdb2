namespace LaMo.Core;

/// <summary>Marks code that only ever runs on the CPU and makes its tensors there without naming a device, and says why:
/// golden verification against reference values made on the CPU, and <c>lamo doctor</c>'s checks of the CPU kernels.
/// Everywhere else every tensor factory call names its device: the device of its input or of an explicit option, or
/// <c>CPU</c> written out where the CPU is meant (random draws from a CPU generator, the same on every device; small
/// tables computed in fixed precision and moved; file reads). <c>DeviceAgnosticTests</c> reads the compiled IL and
/// refuses any factory call that leaves the device to the default outside code marked so.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class HostTensorsAttribute(string reason) : Attribute
{
    /// <summary>Why this code computes on the CPU only.</summary>
    public string Reason { get; } = reason;
}
