using LaMo.Models.Lora;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>Registers the adapters of a <see cref="LoraAdapterSet"/> as sub-modules (dots in module names become '_') so
/// a training checkpoint can save and restore them like any module. The adapters stay owned by the set.</summary>
public sealed class LoraStateModule : nn.Module
{
    /// <summary>Wraps <paramref name="set"/>.</summary>
    public LoraStateModule(LoraAdapterSet set) : base(nameof(LoraStateModule))
    {
        foreach (var name in set.ModuleNames) register_module(name.Replace('.', '_'), set[name]);
    }
}
