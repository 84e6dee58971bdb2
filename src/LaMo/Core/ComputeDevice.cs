using TorchSharp;
using static TorchSharp.torch;

namespace LaMo.Core;

/// <summary>The device a command or program computes on: parsed from <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> and checked
/// against the LibTorch this build carries, so asking for a GPU the build cannot use fails at once, in one line, instead
/// of deep inside the first tensor operation.</summary>
/// <remarks>Only the device is chosen here; models, pipelines and training tasks then take it explicitly (constructors,
/// <c>FromPretrained</c>, <c>PipelineFolder.Load</c>) or follow the device of their input tensors. See docs/gpu.md.</remarks>
public static class ComputeDevice
{
    /// <summary>The CPU, the default everywhere.</summary>
    public static Device Cpu => CPU;

    /// <summary>The one-line answer to asking a build without CUDA for a GPU (also the message of
    /// <see cref="DeviceNotAvailableException"/>).</summary>
    public const string NoCudaMessage =
        "this build of LaMo has no CUDA (it carries the CPU LibTorch): build it with -p:LaMoCuda=true where the CUDA TorchSharp package is served, see docs/gpu.md";

    /// <summary>Moves <paramref name="module"/>, built on the CPU, to <paramref name="device"/> (nothing on the CPU). Models
    /// initialised from a seed are built on the CPU and then moved, so a seed gives the same weights on every device.</summary>
    public static T MoveTo<T>(T module, Device device) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (device.type != DeviceType.CPU) module.to(device);
        return module;
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (N ≥ 0) without touching LibTorch.</summary>
    /// <exception cref="ArgumentException">Anything else (the message names <paramref name="optionName"/>).</exception>
    public static (DeviceType Type, int Index) Parse(string text, string optionName = "--device")
    {
        string s = (text ?? "").Trim().ToLowerInvariant();
        if (s == "cpu") return (DeviceType.CPU, -1);
        if (s == "cuda") return (DeviceType.CUDA, -1);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s[5..], System.Globalization.NumberStyles.None, null, out int index))
            return (DeviceType.CUDA, index);
        throw new ArgumentException($"{optionName} '{text}' must be cpu, cuda or cuda:N (N = 0, 1, ...)");
    }

    /// <summary>Parses <paramref name="text"/> and returns the device, after checking that this build and machine have it.</summary>
    /// <exception cref="ArgumentException">Not cpu, cuda or cuda:N.</exception>
    /// <exception cref="DeviceNotAvailableException">CUDA asked for but absent (this build, the driver, or that GPU index).</exception>
    public static Device Resolve(string text, string optionName = "--device")
    {
        var (type, index) = Parse(text, optionName);
        if (type == DeviceType.CPU) return CPU;
        if (!cuda.is_available())
            throw new DeviceNotAvailableException($"{optionName} {text}: {NoCudaMessage}");
        int count = cuda.device_count();
        if (index >= count)
            throw new DeviceNotAvailableException($"{optionName} {text}: this machine has {count} CUDA device(s) (cuda:0 to cuda:{count - 1})");
        return index < 0 ? CUDA : new Device(DeviceType.CUDA, index);
    }
}

/// <summary>A device was asked for that this build or machine does not have (the message says how to get one). The CLI
/// treats it as a usage error (exit code 2), like any other bad argument.</summary>
public sealed class DeviceNotAvailableException : ArgumentException
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public DeviceNotAvailableException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (for serializers and generic code).</summary>
    public DeviceNotAvailableException() { }

    /// <summary>Creates the exception wrapping <paramref name="inner"/>.</summary>
    public DeviceNotAvailableException(string message, Exception inner) : base(message, inner) { }
}
