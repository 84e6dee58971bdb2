using TorchSharp;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Models.Lora;

/// <summary>A low-rank update ΔW = (α / r)·B·A for one linear layer, with PEFT's parameter names
/// <c>lora_A.weight</c> [r, in] and <c>lora_B.weight</c> [out, r].</summary>
/// <remarks>Initialisation follows PEFT's default: A Kaiming-uniform (a = √5), B zeros, so an injected adapter
/// leaves the model's output unchanged until trained.</remarks>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
{
    private readonly AdaptableLinear lora_A;
    private readonly AdaptableLinear lora_B;

    /// <summary>Rank r.</summary>
    public int Rank { get; }

    /// <summary>α; the update is scaled by α / r.</summary>
    public double Alpha { get; }

    /// <summary>α / r.</summary>
    public double Scale => Alpha / Rank;

    /// <summary>Input features of the adapted layer.</summary>
    public long InFeatures { get; }

    /// <summary>Output features of the adapted layer.</summary>
    public long OutFeatures { get; }

    /// <summary>When false the adapted layer behaves as the base layer (merged weights excepted).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A [r, in].</summary>
    public Parameter WeightA => lora_A.Weight;

    /// <summary>B [out, r].</summary>
    public Parameter WeightB => lora_B.Weight;

    /// <summary>Creates an adapter for an <paramref name="inFeatures"/>→<paramref name="outFeatures"/> layer.</summary>
    public LoraAdapter(long inFeatures, long outFeatures, int rank, double alpha, Device? device = null, ScalarType? dtype = null)
        : base(nameof(LoraAdapter))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be positive and finite");
        Rank = rank; Alpha = alpha; InFeatures = inFeatures; OutFeatures = outFeatures;
        lora_A = new AdaptableLinear(inFeatures, rank, hasBias: false, device, dtype);   // Kaiming-uniform like nn.Linear
        lora_B = new AdaptableLinear(rank, outFeatures, hasBias: false, device, dtype);
        if (device is null || device.type != DeviceType.META)
            using (no_grad()) lora_B.Weight.zero_();
        RegisterComponents();
    }

    /// <summary>(α / r)·B(A(x)) for x [..., in] → [..., out].</summary>
    public override Tensor forward(Tensor x)
    {
        using var a = lora_A.forward(x.to(lora_A.Weight.dtype));
        using var b = lora_B.forward(a);
        return b.mul(Sc(Scale)).to(x.dtype);
    }

    /// <summary>(α / r)·B·A as an [out, in] tensor.</summary>
    public Tensor DeltaWeight()
    {
        using var ba = lora_B.Weight.matmul(lora_A.Weight);   // [out, r]·[r, in] → [out, in]
        return ba.mul(Sc(Scale));
    }
}
