namespace LaMo.World;

/// <summary>Initial state of a disc for <see cref="WorldSimulator"/>.</summary>
/// <param name="Id">Object id.</param>
/// <param name="Radius">Radius (mass = r^2).</param>
/// <param name="X">Centre x at t = 0.</param>
/// <param name="Y">Centre y at t = 0.</param>
/// <param name="Vx">Velocity x at t = 0.</param>
/// <param name="Vy">Velocity y at t = 0.</param>
/// <param name="Gravity">True when gravity acts on this body.</param>
/// <param name="Restitution">Floor restitution e in [0, 1].</param>
/// <param name="Friction">Sliding friction mu while on the floor.</param>
public sealed record BodyInit(int Id, double Radius, double X, double Y, double Vx, double Vy,
    bool Gravity = false, double Restitution = 1.0, double Friction = 0.0);
