using LaMo.Motion;
using LaMo.Diffusion;
using static TorchSharp.torch;

namespace LaMo.Verification;

/// <summary>Reproduces <c>lamo_motion_drift_loss</c>: the loss, its weight, the τ and τ = 1 relative L2, the
/// gradient w.r.t. x̂₀ (stop-gradient denominator), and x̂₀ from a v-prediction with the loss on it.</summary>
[Core.HostTensors("golden verification runs on the CPU, where the reference values were made")]
public sealed class MotionDriftLossVerifier : IGoldenVerifier
{
    /// <inheritdoc />
    public bool Handles(string caseName) => caseName == "lamo_motion_drift_loss";

    /// <inheritdoc />
    public IEnumerable<VerifyResult> Verify(GoldenCase golden)
    {
        int tau = GoldenMotion.IntScalar(golden, "bmv_tau");
        var loss = new MotionDriftLoss(new MotionDriftLossOptions(GoldenMotion.Scalar(golden, "lambda_bmv_rel_l2"), tau));
        var z0 = golden.Inputs["z0"];
        var sigmas = golden.Inputs["sigmas"];
        var x0Hat = golden.Inputs["x0_hat"].detach().clone().requires_grad_(true);
        var results = new List<VerifyResult>();

        var r = loss.Compute(x0Hat, z0, sigmas);
        var grad = autograd.grad([r.Total], [x0Hat])[0];
        results.Add(golden.Compare("loss", r.Total));
        results.Add(golden.Compare("motion_weight", r.Weight));
        results.Add(golden.Compare("bmv_rel_l2", r.RelL2));
        results.Add(golden.Compare("grad_x0_hat", grad));
        using (no_grad())
        {
            results.Add(golden.Compare("bmv_rel_l2_tau1", MotionDriftLoss.RelativeL2(x0Hat, z0, 1)));
            // get_velocity(v̂, x_t, t) = √ᾱ_t·x_t − √(1−ᾱ_t)·v̂ with ᾱ cast to float32 first (diffusers).
            var table = tensor(CogVideoXAlphaTable.FromConfig(golden.Scalars.GetProperty("scheduler_config")), ScalarType.Float64);
            var abar = table.index_select(0, golden.Inputs["timesteps"]).to_type(ScalarType.Float32);
            var x0FromV = DiffusionMath.PredictX0FromV(golden.Inputs["v_hat"], golden.Inputs["x_t"], abar);
            results.Add(golden.Compare("x0_hat_from_v", x0FromV));
            results.Add(golden.Compare("loss_from_v", loss.Compute(x0FromV, z0, sigmas).Total));
        }
        return results;
    }
}
