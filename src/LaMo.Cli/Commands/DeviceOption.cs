using TorchSharp;
using System.CommandLine;
using LaMo.Core;
using static TorchSharp.torch;

namespace LaMo.Cli.Commands;

/// <summary>The one <c>--device</c> option of every command that computes with tensors (sample, train, prior train,
/// vae train, encode, demo, experiment). <c>eval</c> has none: its metrics run on decoded frames with OpenCV.</summary>
internal static class DeviceOption
{
    /// <summary>A fresh <c>--device</c> option (System.CommandLine gives each option one parent command).</summary>
    public static Option<string> Create() => new("--device")
    {
        Description = "Where to compute: cpu, cuda or cuda:N (CUDA needs the CUDA build: dotnet build -p:LaMoCuda=true, see docs/gpu.md)",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>The device asked for, checked against this build: <c>cuda</c> on the CPU build is a usage error (exit 2)
    /// with one line saying how to get a CUDA build.</summary>
    public static Device Resolve(ParseResult p, Option<string> option) => ComputeDevice.Resolve(p.GetValue(option)!, option.Name);

    /// <summary>As <see cref="Resolve"/>, for a command whose workflow computes on the CPU only so far: any other device is
    /// refused (never silently ignored).</summary>
    /// <exception cref="NotSupportedException">A CUDA device on a build that has one.</exception>
    public static void RequireCpu(ParseResult p, Option<string> option, string command)
    {
        var device = Resolve(p, option);
        if (device.type != DeviceType.CPU)
            throw new NotSupportedException($"{option.Name} {p.GetValue(option)}: {command} computes on the CPU only so far (see docs/gpu.md for what runs on a GPU)");
    }
}
