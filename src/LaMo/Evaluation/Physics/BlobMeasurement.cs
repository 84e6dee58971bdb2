namespace LaMo.Evaluation.Physics;

/// <summary>What the colour parser measured for one object in one frame.</summary>
/// <param name="Area">A = Σ w(p), in pixels.</param>
/// <param name="U">Weighted mean of pixel-centre u (right), continuous pixel coordinates; NaN when A = 0.</param>
/// <param name="V">Weighted mean of pixel-centre v (down); NaN when A = 0.</param>
/// <param name="Detected">A ≥ the detection area (0.25·π·(r/s)² by default) and, when a <see cref="BlobRule"/> is given, an
/// object-like blob holds it.</param>
public readonly record struct BlobMeasurement(double Area, double U, double V, bool Detected);
