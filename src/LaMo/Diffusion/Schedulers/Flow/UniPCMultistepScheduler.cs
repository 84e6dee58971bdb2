using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Diffusion.Schedulers.Flow;

/// <summary>diffusers' <c>UniPCMultistepScheduler</c> (v0.40) in the flow configuration the Wan pipelines use
/// (<c>flow_prediction</c>, flow sigmas, <c>predict_x0</c>, bh2, order 2, lower-order final): each step corrects the
/// incoming sample with UniC (when a previous step exists) and predicts the next with UniP.</summary>
/// <remarks>Inference σ: numpy's linspace(1, 1/N, n + 1) without its last value, shifted <b>once</b> by
/// <c>flow_shift</c> in float64, σ₀ lowered by 1e-6 when within 1e-6 of 1 (so log σ and log(1 − σ) are finite), then
/// timesteps = int64(σ·N) (truncated, so the first is 999) and σ cast to float32 with the final σ appended. The model
/// output v is turned into x̂₀ = x_t − σ·v in the sample's dtype; the solver's scalar coefficients are computed in
/// float64 from the float32 σ (diffusers uses float32 0-d tensors; the difference is far inside the reference
/// tolerances). The last step to σ = 0 (λ = +∞) returns x̂₀ exactly. Keeps the last <c>solver_order</c> x̂₀ and the last
/// sample between steps; <see cref="FlowSchedulerBase.SetTimesteps"/> clears them.</remarks>
public sealed class UniPCMultistepScheduler : FlowSchedulerBase
{
    private Tensor?[] _modelOutputs;
    private Tensor? _lastSample;
    private int _lowerOrderNums;

    /// <summary>Builds the scheduler from <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    /// <exception cref="NotSupportedException">The config asks for an option this port does not implement.</exception>
    public UniPCMultistepScheduler(UniPCSchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        _modelOutputs = new Tensor?[config.SolverOrder];
    }

    /// <summary>The configuration.</summary>
    public UniPCSchedulerConfig Config { get; }

    /// <inheritdoc />
    public override string ClassName => SchedulerFactory.UniPC;

    /// <inheritdoc />
    public override int NumTrainTimesteps => Config.NumTrainTimesteps;

    /// <summary>The order of the predictor in the last step (diffusers' <c>this_order</c>), 0 before any step.</summary>
    public int LastOrder { get; private set; }

    /// <inheritdoc />
    protected override (double[] Timesteps, float[] Sigmas) BuildSchedule(int numInferenceSteps)
    {
        int n = Config.NumTrainTimesteps;
        var lin = FlowSigmas.Linspace(1.0, 1.0 / n, numInferenceSteps + 1);
        var sig = lin.Take(numInferenceSteps).Select(s => FlowSigmas.Shift(s, Config.FlowShift)).ToArray();
        if (Math.Abs(sig[0] - 1) < 1e-6) sig[0] -= 1e-6;
        var timesteps = sig.Select(s => Math.Truncate(s * n)).ToArray();
        double last = Config.FinalSigmasType == "sigma_min" ? sig[^1] : 0.0;
        var sigmas = sig.Append(last).Select(s => (float)s).ToArray();
        return (timesteps, sigmas);
    }

    /// <inheritdoc />
    protected override void ResetState()
    {
        DisposeState();
        _modelOutputs = new Tensor?[Config.SolverOrder];
        _lowerOrderNums = 0;
        LastOrder = 0;
    }

    /// <inheritdoc />
    public override Tensor TimestepsTensor() => tensor(Timesteps.Select(t => (long)t).ToArray(), ScalarType.Int64, device: CPU);

    /// <inheritdoc />
    /// <remarks>diffusers' UniPC rule: no match gives the last index, several give the second.</remarks>
    protected override int IndexForTimestep(double timestep)
    {
        var hits = Enumerable.Range(0, Timesteps.Count).Where(i => Timesteps[i] == timestep).ToList();
        return hits.Count == 0 ? Timesteps.Count - 1 : hits[hits.Count > 1 ? 1 : 0];
    }

    /// <inheritdoc />
    public override SchedulerStep Step(Tensor modelOutput, double timestep, Tensor sample)
    {
        RequireSameShape(modelOutput, sample);
        int i = CurrentIndex(timestep);
        bool useCorrector = i > 0 && !Config.DisableCorrector.Contains(i - 1) && _lastSample is not null;
        var x0 = FlowMath.PredictX0FromVelocity(modelOutput, sample, tensor(Sigmas[i], ScalarType.Float32, sample.device).to_type(sample.dtype));
        x0.DetachFromDisposeScope();
        if (useCorrector) sample = Correct(x0, _lastSample!, sample, LastOrder, i);

        int order = Config.SolverOrder;
        _modelOutputs[0]?.Dispose();
        for (int k = 0; k < order - 1; k++) _modelOutputs[k] = _modelOutputs[k + 1];
        _modelOutputs[^1] = x0;
        int thisOrder = Config.LowerOrderFinal ? Math.Min(order, Timesteps.Count - i) : order;
        LastOrder = Math.Min(thisOrder, _lowerOrderNums + 1);

        _lastSample?.Dispose();
        _lastSample = sample.detach().clone().DetachFromDisposeScope();
        var prev = Predict(sample, LastOrder, i);
        if (_lowerOrderNums < order) _lowerOrderNums++;
        StepIndex = i + 1;
        return new SchedulerStep(prev, x0.alias());
    }

    // x̂₀ history: _modelOutputs[^1] is m0 (this step's), [^(k + 1)] the one k steps back.
    private Tensor History(int k) => _modelOutputs[^(k + 1)]
        ?? throw new InvalidOperationException("UniPC: the multistep history is shorter than the order asks for");

    // UniP: from σ_i to σ_{i+1}.
    private Tensor Predict(Tensor x, int order, int i)
    {
        var older = Enumerable.Range(1, order - 1).Select(k => (double)Sigmas[i - k]).ToList();
        var c = UniPCCoefficients.For(Sigmas[i + 1], Sigmas[i], older, order, Config.IsBh1);
        var m0 = History(0);
        var xt = x * Sc(c.SampleScale) - m0 * Sc(c.X0Scale);
        if (order == 1) return xt.to_type(x.dtype);
        var rhos = order == 2 ? [0.5] : c.Solve(order - 1);
        Tensor? res = null;
        for (int k = 1; k < order; k++)
        {
            var term = (History(k) - m0) / Sc(c.Ratios[k - 1]) * Sc(rhos[k - 1]);
            res = res is null ? term : res.add(term, Sc(1));
        }
        return (xt - res! * Sc(c.CorrectionScale)).to_type(x.dtype);
    }

    // UniC: corrects x_t at σ_i (reached by the last predictor from lastSample at σ_{i−1}) with this step's x̂₀.
    private Tensor Correct(Tensor modelT, Tensor lastSample, Tensor thisSample, int order, int i)
    {
        var older = Enumerable.Range(1, order - 1).Select(k => (double)Sigmas[i - (k + 1)]).ToList();
        var c = UniPCCoefficients.For(Sigmas[i], Sigmas[i - 1], older, order, Config.IsBh1);
        var m0 = History(0);
        var xt = lastSample * Sc(c.SampleScale) - m0 * Sc(c.X0Scale);
        var rhos = order == 1 ? [0.5] : c.Solve(order);
        var corr = (modelT - m0) * Sc(rhos[^1]);
        for (int k = 1; k < order; k++)
            corr = ((History(k) - m0) / Sc(c.Ratios[k - 1]) * Sc(rhos[k - 1])).add(corr, Sc(1));
        return (xt - corr * Sc(c.CorrectionScale)).to_type(thisSample.dtype);
    }

    private void DisposeState()
    {
        foreach (var t in _modelOutputs) t?.Dispose();
        _lastSample?.Dispose();
        _lastSample = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeState();
    }
}
