using TorchSharp;
using Xunit;
using static TorchSharp.torch;
namespace LaMo.Tests;
public class SmokeTests
{
    [Fact]
    public void TorchSharp_ForwardBackward_Runs()
    {
        var lin = nn.Linear(3, 2);
        var x = randn(4, 3);
        var loss = lin.forward(x).pow(2).sum();
        loss.backward();
        Assert.NotNull(lin.weight!.grad);
        Assert.True(lin.weight.grad!.abs().sum().item<float>() > 0);
    }
}
