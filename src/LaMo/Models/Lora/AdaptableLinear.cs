using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Lora;

/// <summary>A <c>torch.nn.Linear</c> equivalent (same state-dict keys <c>weight</c>/<c>bias</c>, same
/// initialisation) that can carry one optional, unregistered <see cref="LoraAdapter"/>.</summary>
/// <remarks>The adapter is deliberately not a registered sub-module: the base model's <c>state_dict()</c>,
/// <c>parameters()</c> and strict checkpoint loading stay exactly those of the diffusers model
/// (<c>to_q.weight</c>, not PEFT's <c>to_q.base_layer.weight</c>). Adapters are owned, enumerated and saved
/// by <see cref="LoraAdapterSet"/>.</remarks>
public sealed class AdaptableLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;

    /// <summary>Input features.</summary>
    public long InFeatures { get; }

    /// <summary>Output features.</summary>
    public long OutFeatures { get; }

    /// <summary>The attached adapter, or null.</summary>
    public LoraAdapter? Adapter { get; private set; }

    /// <summary>True while the adapter's update is folded into <see cref="Weight"/>.</summary>
    public bool Merged { get; private set; }

    /// <summary>Weight [out, in].</summary>
    public Parameter Weight => weight;

    /// <summary>Bias [out] or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>Creates the layer; on a real device and with <paramref name="initialize"/> it is initialised like
    /// <c>nn.Linear</c> (Kaiming-uniform, a = √5), otherwise left uninitialised (to be loaded).</summary>
    public AdaptableLinear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null, ScalarType? dtype = null, bool initialize = true)
        : base(nameof(AdaptableLinear))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures; OutFeatures = outFeatures;
        weight = new Parameter(empty(new[] { outFeatures, inFeatures }, dtype: dtype, device: device));
        if (hasBias) bias = new Parameter(empty(new[] { outFeatures }, dtype: dtype, device: device));
        if (initialize && (device is null || device.type != DeviceType.META))
        {
            using var _ = no_grad();
            nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
            if (bias is not null)
            {
                double bound = 1 / Math.Sqrt(inFeatures);
                nn.init.uniform_(bias, -bound, bound);
            }
        }
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.linear(x, weight, bias);
        if (Adapter is { Enabled: true } a && !Merged)
        {
            using var delta = a.forward(x);
            y.add_(delta, Sc(1));
        }
        return y;
    }

    /// <summary>Attaches <paramref name="adapter"/> (shapes must fit).</summary>
    /// <exception cref="InvalidOperationException">An adapter is already attached.</exception>
    public void Attach(LoraAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        if (Adapter is not null) throw new InvalidOperationException("an adapter is already attached; detach it first");
        if (adapter.InFeatures != InFeatures || adapter.OutFeatures != OutFeatures)
            throw new ArgumentException($"adapter is {adapter.InFeatures}→{adapter.OutFeatures} but the layer is {InFeatures}→{OutFeatures}", nameof(adapter));
        Adapter = adapter;
    }

    /// <summary>Removes the adapter (unmerging first if needed) and returns it.</summary>
    public LoraAdapter? Detach()
    {
        if (Merged) Unmerge();
        var a = Adapter;
        Adapter = null;
        return a;
    }

    /// <summary>Folds scale·B·A into <see cref="Weight"/> so the forward no longer pays for the adapter.</summary>
    /// <exception cref="InvalidOperationException">No adapter, or already merged.</exception>
    public void Merge()
    {
        if (Adapter is null) throw new InvalidOperationException("no adapter to merge");
        if (Merged) throw new InvalidOperationException("adapter already merged");
        using (no_grad()) using (var d = Adapter.DeltaWeight()) weight.add_(d.to(weight.dtype), Sc(1));
        Merged = true;
    }

    /// <summary>Subtracts the merged update again (exact up to float rounding).</summary>
    /// <exception cref="InvalidOperationException">Not merged.</exception>
    public void Unmerge()
    {
        if (Adapter is null || !Merged) throw new InvalidOperationException("adapter is not merged");
        using (no_grad()) using (var d = Adapter.DeltaWeight()) weight.sub_(d.to(weight.dtype));
        Merged = false;
    }
}
