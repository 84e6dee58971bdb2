using TorchSharp.Modules;
using static LaMo.Core.KeptScalars;
using static TorchSharp.torch;

namespace LaMo.Training;

/// <summary>A named group of parameters with its own learning rate, weight decay and clipping.</summary>
/// <param name="Name">Group name (used as a key prefix in the saved optimiser state).</param>
/// <param name="Parameters">Parameters by state-dict name.</param>
/// <param name="WeightDecay">Decoupled weight decay.</param>
/// <param name="ClipNorm">Global L2 gradient-norm clip for this group alone (≤ 0: none).</param>
public sealed record OptimizerGroup(string Name, IReadOnlyDictionary<string, Parameter> Parameters, double WeightDecay, double ClipNorm);

/// <summary>NamedAdamW (decoupled weight decay, bias-corrected moments, as <c>torch.optim.AdamW</c>) over named parameter
/// groups, with state stored as named tensors so checkpoints are plain safetensors and resume is exact.</summary>
public sealed class NamedAdamW : IDisposable
{
    private readonly Dictionary<string, Tensor> _expAvg = new(StringComparer.Ordinal);     // views into the group's flat moments
    private readonly Dictionary<string, Tensor> _expAvgSq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Tensor M, Tensor V)> _flat = new(StringComparer.Ordinal);   // per group, [parameters' total]
    private readonly double _beta1, _beta2, _eps;

    /// <summary>The groups, in order.</summary>
    public IReadOnlyList<OptimizerGroup> Groups { get; }

    /// <summary>Number of updates taken so far (shared by all groups).</summary>
    public long StepCount { get; private set; }

    /// <summary>Creates the optimiser; the defaults are the paper's fine-tuning betas (0.9, 0.99) and eps 1e-8.</summary>
    public NamedAdamW(IReadOnlyList<OptimizerGroup> groups, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8)
    {
        Groups = groups; _beta1 = beta1; _beta2 = beta2; _eps = eps;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
            foreach (var n in g.Parameters.Keys)
                if (!names.Add(Key(g, n))) throw new ArgumentException($"parameter '{n}' appears twice in group '{g.Name}'", nameof(groups));
    }

    private static string Key(OptimizerGroup g, string name) => g.Name + "." + name;

    /// <summary>Clears every gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var g in Groups)
            foreach (var p in g.Parameters.Values)
                if (p.grad is { } grad) { grad.zero_(); }
    }

    /// <summary>Clips each group's gradients to its <see cref="OptimizerGroup.ClipNorm"/>; returns each group's pre-clip norm.</summary>
    public Dictionary<string, double> ClipGradients()
    {
        var norms = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in Groups)
        {
            var ps = g.Parameters.Values.Where(p => p.grad is not null).ToList();
            if (ps.Count == 0) { norms[g.Name] = 0; continue; }
            norms[g.Name] = g.ClipNorm > 0 ? nn.utils.clip_grad_norm_(ps, g.ClipNorm) : GradNorm(ps);
        }
        return norms;
    }

    private static double GradNorm(IEnumerable<Parameter> ps)
    {
        using var scope = NewDisposeScope();
        return ps.Select(p => p.grad!.pow(Sc(2)).sum()).Aggregate((a, b) => a.add(b, Sc(1))).sqrt().item<float>();
    }

    /// <summary>True when every gradient is finite (NaN/Inf detection before the update).</summary>
    public bool GradientsFinite() => FirstNonFiniteGradient() is null;

    /// <summary>The first parameter (<c>group/name</c>) whose gradient holds NaN or Inf, or null when all are finite.</summary>
    public string? FirstNonFiniteGradient()
    {
        using var scope = NewDisposeScope();
        foreach (var g in Groups)
            foreach (var (name, p) in g.Parameters)
                if (p.grad is { } grad && !grad.isfinite().all().item<bool>()) return $"{g.Name}/{name}";
        return null;
    }

    /// <summary>One AdamW step per group at the given learning rates (by group name); parameters without a gradient are
    /// left alone. When every parameter of a group has a gradient the update runs on the group's flattened tensors
    /// (a handful of ops instead of ~8 per parameter; the same elementwise arithmetic, so the same numbers).</summary>
    public void Step(IReadOnlyDictionary<string, double> lrs)
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(_beta1, StepCount), bc2 = 1 - Math.Pow(_beta2, StepCount);
        using var noGrad = no_grad();
        foreach (var g in Groups)
        {
            double lr = lrs[g.Name];
            EnsureState(g);
            if (g.Parameters.Count > 1 && g.Parameters.Values.All(p => p.grad is not null))
            {
                using var scope = NewDisposeScope();
                var ps = g.Parameters.Values.ToList();
                var (m, v) = _flat[g.Name];
                var grad = cat(ps.Select(p => p.grad!.reshape(-1)).ToList());
                var flat = cat(ps.Select(p => p.detach().reshape(-1)).ToList());
                Update(flat, grad, m, v, lr, g.WeightDecay, bc1, bc2);
                long off = 0;
                foreach (var p in ps) { p.copy_(flat.narrow(0, off, p.numel()).view_as(p)); off += p.numel(); }
                continue;
            }
            foreach (var (name, p) in g.Parameters)
                if (p.grad is { } grad) Update(p, grad, _expAvg[Key(g, name)], _expAvgSq[Key(g, name)], lr, g.WeightDecay, bc1, bc2);
        }
    }

    // Decoupled weight decay, then Adam with bias correction, in place on p, m and v.
    private void Update(Tensor p, Tensor grad, Tensor m, Tensor v, double lr, double weightDecay, double bc1, double bc2)
    {
        if (weightDecay > 0) p.mul_(Sc(1 - lr * weightDecay));
        m.mul_(Sc(_beta1)).add_(grad, alpha: Sc(1 - _beta1));
        v.mul_(Sc(_beta2)).addcmul_(grad, grad, value: Sc(1 - _beta2));
        using var denom = (v / Sc(bc2)).sqrt_().add_(Sc(_eps), Sc(1));
        p.addcdiv_(m, denom, value: Sc(-lr / bc1));
    }

    // The group's moments: two flat fp32 buffers, and per-parameter views of them for the state dict and the slow path.
    private void EnsureState(OptimizerGroup g)
    {
        if (_flat.ContainsKey(g.Name)) return;
        long total = g.Parameters.Values.Sum(p => p.numel());
        var device = g.Parameters.Values.FirstOrDefault()?.device;                 // the moments live beside the parameters
        var m = zeros(total, device: device).DetachFromDisposeScope();
        var v = zeros(total, device: device).DetachFromDisposeScope();
        _flat[g.Name] = (m, v);
        long off = 0;
        foreach (var (name, p) in g.Parameters)
        {
            _expAvg[Key(g, name)] = m.narrow(0, off, p.numel()).view(p.shape).DetachFromDisposeScope();
            _expAvgSq[Key(g, name)] = v.narrow(0, off, p.numel()).view(p.shape).DetachFromDisposeScope();
            off += p.numel();
        }
    }

    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["step"] = tensor(StepCount, device: CPU) };
        foreach (var (k, t) in _expAvg) d["exp_avg." + k] = t;
        foreach (var (k, t) in _expAvgSq) d["exp_avg_sq." + k] = t;
        return d;
    }

    /// <summary>Restores a state produced by <see cref="StateDict"/>.</summary>
    /// <exception cref="InvalidDataException">A state tensor names no parameter or has the wrong shape.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var shapes = Groups.SelectMany(g => g.Parameters.Select(kv => (Key(g, kv.Key), kv.Value.shape)))
            .ToDictionary(x => x.Item1, x => x.shape, StringComparer.Ordinal);
        StepCount = state.TryGetValue("step", out var s) ? s.item<long>() : throw new InvalidDataException($"{source}: optimiser state has no 'step'");
        foreach (var g in Groups) EnsureState(g);
        foreach (var (k, t) in state)
        {
            if (k == "step") continue;
            var (dict, key) = k.StartsWith("exp_avg_sq.", StringComparison.Ordinal) ? (_expAvgSq, k["exp_avg_sq.".Length..])
                : k.StartsWith("exp_avg.", StringComparison.Ordinal) ? (_expAvg, k["exp_avg.".Length..])
                : throw new InvalidDataException($"{source}: unknown optimiser state '{k}'");
            if (!shapes.TryGetValue(key, out var shape)) throw new InvalidDataException($"{source}: optimiser state for unknown parameter '{key}'");
            if (!shape.SequenceEqual(t.shape)) throw new InvalidDataException($"{source}: optimiser state '{k}' has shape [{string.Join(",", t.shape)}], parameter has [{string.Join(",", shape)}]");
            using (no_grad()) dict[key].copy_(t);   // into the group's flat buffer
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _expAvg.Values.Concat(_expAvgSq.Values)) t.Dispose();
        foreach (var (m, v) in _flat.Values) { m.Dispose(); v.Dispose(); }
        _expAvg.Clear();
        _expAvgSq.Clear();
        _flat.Clear();
    }
}
