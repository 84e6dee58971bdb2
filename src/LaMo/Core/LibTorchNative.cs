using System.Runtime.InteropServices;
using TorchSharp;

namespace LaMo.Core;

/// <summary>LibTorch switches and CPU probes that TorchSharp does not wrap, called through libtorch_cpu's exported C++
/// symbols (the Itanium ABI names of LibTorch 2.10; a missing one fails loudly when first used).</summary>
public static unsafe class LibTorchNative
{
    private static readonly IntPtr Library = LoadLibTorchCpu();

    // Resolved once, when the class is first used.
    private static readonly delegate* unmanaged<IntPtr> GlobalContext = (delegate* unmanaged<IntPtr>)Export("_ZN2at13globalContextEv");
    private static readonly delegate* unmanaged<IntPtr, byte, void> SetMkldnn = (delegate* unmanaged<IntPtr, byte, void>)Export("_ZN2at7Context20setUserEnabledMkldnnEb");
    private static readonly delegate* unmanaged<IntPtr, byte> GetMkldnn = (delegate* unmanaged<IntPtr, byte>)Export("_ZNK2at7Context17userEnabledMkldnnEv");
    private static readonly delegate* unmanaged<IntPtr, byte, void> SetNnpack = (delegate* unmanaged<IntPtr, byte, void>)Export("_ZN2at7Context20setUserEnabledNNPACKEb");

    private static IntPtr Export(string symbol) => NativeLibrary.GetExport(Library, symbol);

    private static bool Probe(string symbol) => ((delegate* unmanaged<byte>)Export(symbol))() != 0;

    /// <summary><c>at::globalContext().setUserEnabledMkldnn(on)</c> (<c>torch.backends.mkldnn.enabled</c>).</summary>
    public static void SetUserEnabledMkldnn(bool on) => SetMkldnn(GlobalContext(), on ? (byte)1 : (byte)0);

    /// <summary><c>at::globalContext().userEnabledMkldnn()</c>.</summary>
    public static bool UserEnabledMkldnn() => GetMkldnn(GlobalContext()) != 0;

    /// <summary><c>at::globalContext().setUserEnabledNNPACK(on)</c>.</summary>
    public static void SetUserEnabledNNPACK(bool on) => SetNnpack(GlobalContext(), on ? (byte)1 : (byte)0);

    /// <summary>The CPU features LibTorch detected (<c>at::cpu::is_*_supported</c>), e.g. <c>avx2 avx512 avx512_vnni</c>.</summary>
    public static string CpuFeatures()
    {
        var found = new List<string>();
        foreach (var (name, symbol) in new[]
                 {
                     ("avx2", "_ZN2at3cpu17is_avx2_supportedEv"), ("avx512", "_ZN2at3cpu19is_avx512_supportedEv"),
                     ("avx512_vnni", "_ZN2at3cpu24is_avx512_vnni_supportedEv"), ("avx512_bf16", "_ZN2at3cpu24is_avx512_bf16_supportedEv"),
                     ("amx_tile", "_ZN2at3cpu21is_amx_tile_supportedEv"),
                 })
            if (Probe(symbol)) found.Add(name);
        return found.Count == 0 ? "no AVX2" : string.Join(' ', found);
    }

    // Loading TorchSharp maps libtorch_cpu; opening that same file again returns the already-loaded copy.
    private static IntPtr LoadLibTorchCpu()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        string? path = null;
        if (OperatingSystem.IsLinux())
            path = File.ReadLines("/proc/self/maps").Select(l => l.IndexOf('/') is var i and >= 0 ? l[i..] : "")
                .FirstOrDefault(p => Path.GetFileName(p) == "libtorch_cpu.so");
        return path is not null ? NativeLibrary.Load(path)
            : NativeLibrary.TryLoad("libtorch_cpu", typeof(torch).Assembly, null, out var handle) ? handle
            : throw new DllNotFoundException("libtorch_cpu is not loaded; TorchSharp's native libraries are missing");
    }
}
