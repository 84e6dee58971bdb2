namespace LaMo.World;

/// <summary>Exact motion of a simple pendulum released from rest at angle θ0 (no small-angle approximation).</summary>
/// <remarks>θ(t) = 2 asin(k sn(K - ω t | k²)), k = sin(θ0 / 2), ω = sqrt(g / L); θ'(t) = -2 k ω cn(K - ω t | k²).
/// Period T = 4 K(k²) / ω, which tends to 2π sqrt(L / g) as θ0 → 0. θ is measured from the downward vertical,
/// positive towards +x.</remarks>
public sealed class PendulumMotion
{
    private readonly double _k, _m, _omega, _kk, _sign;

    /// <summary>A pendulum of length <paramref name="length"/> released from rest at <paramref name="theta0"/> radians.</summary>
    /// <exception cref="ArgumentOutOfRangeException">length &lt;= 0, |θ0| &gt;= π or g &lt;= 0.</exception>
    public PendulumMotion(double length, double theta0, double gravity = WorldConstants.Gravity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gravity);
        if (Math.Abs(theta0) >= Math.PI) throw new ArgumentOutOfRangeException(nameof(theta0), theta0, "|theta0| must be < pi");
        Length = length;
        Theta0 = theta0;
        _sign = theta0 < 0 ? -1 : 1;
        _k = Math.Sin(Math.Abs(theta0) / 2);
        _m = _k * _k;
        _omega = Math.Sqrt(gravity / length);
        _kk = JacobiElliptic.K(_m);
    }

    /// <summary>String length L.</summary>
    public double Length { get; }

    /// <summary>Release angle in radians.</summary>
    public double Theta0 { get; }

    /// <summary>Exact period 4 K / ω in seconds.</summary>
    public double Period => 4 * _kk / _omega;

    /// <summary>Angle and angular velocity at time t.</summary>
    public (double Theta, double Omega) At(double t)
    {
        var (sn, cn, _) = JacobiElliptic.SnCnDn(_kk - _omega * t, _m);
        return (_sign * 2 * Math.Asin(Math.Clamp(_k * sn, -1, 1)), -_sign * 2 * _k * _omega * cn);
    }

    /// <summary>Bob centre and velocity at time t for a pivot at (px, py).</summary>
    public (double X, double Y, double Vx, double Vy) Bob(double t, double px, double py)
    {
        var (th, w) = At(t);
        double s = Math.Sin(th), c = Math.Cos(th);
        return (px + Length * s, py - Length * c, Length * c * w, Length * s * w);
    }
}
