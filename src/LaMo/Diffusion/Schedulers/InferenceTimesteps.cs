namespace LaMo.Diffusion.Schedulers;

/// <summary>The inference timestep lists of diffusers' CogVideoX schedulers (<c>set_timesteps</c>), reproduced
/// with numpy's exact arithmetic (float <c>arange</c>, round-half-to-even).</summary>
public static class InferenceTimesteps
{
    /// <summary>The descending timesteps for <paramref name="numInferenceSteps"/> steps under <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in [1, num_train_timesteps].</exception>
    public static int[] Compute(SchedulerConfig config, int numInferenceSteps)
    {
        ArgumentNullException.ThrowIfNull(config);
        int n = config.NumTrainTimesteps;
        if (numInferenceSteps < 1 || numInferenceSteps > n)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                $"num_inference_steps ({numInferenceSteps}) must lie in [1, num_train_timesteps = {n}]");
        return config.TimestepSpacing switch
        {
            TimestepSpacing.Linspace => Linspace(n, numInferenceSteps),
            TimestepSpacing.Leading => Leading(n, numInferenceSteps, config.StepsOffset),
            TimestepSpacing.Trailing => Trailing(n, numInferenceSteps),
            _ => throw new NotSupportedException($"timestep_spacing {config.TimestepSpacing} is not supported"),
        };
    }

    // np.linspace(0, N-1, n).round()[::-1]: y_i = i*step + 0, last element exactly N-1.
    private static int[] Linspace(int n, int k)
    {
        var t = new int[k];
        double step = k > 1 ? (n - 1.0) / (k - 1) : 0;
        for (int i = 0; i < k; i++)
        {
            double y = k > 1 && i == k - 1 ? n - 1.0 : i * step;
            t[k - 1 - i] = (int)Math.Round(y, MidpointRounding.ToEven);
        }
        return t;
    }

    // (np.arange(0, n) * (N // n)).round()[::-1] + steps_offset
    private static int[] Leading(int n, int k, int offset)
    {
        int ratio = n / k;
        return Enumerable.Range(0, k).Select(i => (k - 1 - i) * ratio + offset).ToArray();
    }

    // np.round(np.arange(N, 0, -N/n)) - 1. numpy sizes a float arange as ceil((stop-start)/step) and fills
    // start + i*delta with delta = (start + step) - start.
    private static int[] Trailing(int n, int k)
    {
        double ratio = (double)n / k;
        double start = n, delta = (start + -ratio) - start;
        int len = (int)Math.Ceiling((0.0 - start) / -ratio);
        var t = new int[len];
        for (int i = 0; i < len; i++) t[i] = (int)Math.Round(start + i * delta, MidpointRounding.ToEven) - 1;
        return t;
    }
}
