using LaMo.Core;
using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Motion;

/// <summary>Conv3×3 → GroupNorm → FiLM → GELU → Conv3×3 → GroupNorm → (SE) → + input → GELU.</summary>
/// <remarks>Port of LaMo <c>FiLMResBlock</c> (physical_motion_lamo.py @55a3daa). FiLM: h = (1 + γ)·h + β with
/// (γ, β) = film(c), zero-initialised so the block starts prompt-agnostic. Keys: conv1, gn1, conv2, gn2, se.*, film.</remarks>
public sealed class FiLMResBlock : nn.Module
{
#pragma warning disable IDE1006 // field names are the checkpoint keys
    private readonly Conv2d conv1;
    private readonly GroupNorm gn1;
    private readonly Conv2d conv2;
    private readonly GroupNorm gn2;
    private readonly ChannelSEBlock? se;
    private readonly Linear? film;
#pragma warning restore IDE1006

    /// <summary>Creates a block on <paramref name="channels"/> channels; <paramref name="condDim"/> null means no FiLM head.</summary>
    public FiLMResBlock(int channels, int numGroups, int? seHidden, int? condDim, Device? device = null) : base(nameof(FiLMResBlock))
    {
        conv1 = nn.Conv2d(channels, channels, 3, padding: 1, device: device);
        gn1 = nn.GroupNorm(numGroups, channels, device: device);
        conv2 = nn.Conv2d(channels, channels, 3, padding: 1, device: device);
        gn2 = nn.GroupNorm(numGroups, channels, device: device);
        if (seHidden is int sh) se = new ChannelSEBlock(channels, sh, device);
        if (condDim is int cd) film = nn.Linear(cd, 2 * channels, device: device);
        using (no_grad())
        {
            // TorchSharp leaves GroupNorm's affine parameters uninitialised (platform-notes.md).
            foreach (var gn in new[] { gn1, gn2 }) { gn.weight!.fill_(Sc(1.0)); gn.bias!.zero_(); }
            if (film is not null) { film.weight.zero_(); film.bias!.zero_(); }
        }
        RegisterComponents();
    }

    /// <summary>Applies the block to <paramref name="x"/> [N, hidden, H, W] with FiLM condition <paramref name="cond"/> [N, d_cond].</summary>
    public Tensor forward(Tensor x, Tensor? cond)
    {
        var h = gn1.forward(SafeConv.Forward(conv1, x));
        if (film is not null && cond is not null)
        {
            var gb = film.forward(cond).chunk(2, -1);              // [N, 2·hidden] → γ, β [N, hidden]
            var gamma = gb[0].unsqueeze(-1).unsqueeze(-1);          // [N, hidden, 1, 1]
            var beta = gb[1].unsqueeze(-1).unsqueeze(-1);
            h = (gamma.add(Sc(1.0), Sc(1)) * h).add(beta, Sc(1));                      // h = (1 + γ)·h + β
        }
        h = nn.functional.gelu(h);
        h = gn2.forward(SafeConv.Forward(conv2, h));
        if (se is not null) h = se.forward(h);
        return nn.functional.gelu(h.add(x, Sc(1)));
    }
}
