namespace LaMo.Evaluation.VideoPhy;

/// <summary>Which benchmark a prompt file belongs to; it fixes the judge, its score scale and the pass threshold.</summary>
public enum VideoPhyBenchmark
{
    /// <summary>VideoPhy (arXiv 2406.03520): judge VideoCon-Physics, entailment probabilities in [0, 1], pass ≥ 0.5.</summary>
    VideoPhy,

    /// <summary>VideoPhy-2 (arXiv 2503.06800): judge VideoPhy-2-AutoEval, integer ratings 1–5, pass ≥ 4.</summary>
    VideoPhy2,
}
