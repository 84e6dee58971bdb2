using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LaMo.Models.CogVideoXVae;

/// <summary>GroupNorm with affine <c>weight</c> (ones) and <c>bias</c> (zeros), statistics over (C/G, F, H, W) of a
/// 5-D input, like PyTorch's <c>nn.GroupNorm</c> on video. Used instead of TorchSharp's <c>nn.GroupNorm</c>, whose
/// affine parameters start uninitialised (platform-notes.md).</summary>
internal sealed class VaeGroupNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int _groups;
    private readonly double _eps;

    public VaeGroupNorm(int groups, int channels, double eps, Device? device, ScalarType? dtype) : base("GroupNorm")
    {
        _groups = groups; _eps = eps;
        weight = new Parameter(torch.ones(channels, dtype: dtype, device: device));
        bias = new Parameter(torch.zeros(channels, dtype: dtype, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.group_norm(x, _groups, weight, bias, _eps);
}
