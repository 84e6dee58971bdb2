namespace LaMo.World;

/// <summary>A body's kinematic state at one sampled time.</summary>
/// <param name="Id">Object id.</param>
/// <param name="X">Centre x.</param>
/// <param name="Y">Centre y.</param>
/// <param name="Vx">Velocity x.</param>
/// <param name="Vy">Velocity y.</param>
/// <param name="OnFloor">True while resting or sliding on the floor.</param>
public readonly record struct BodySample(int Id, double X, double Y, double Vx, double Vy, bool OnFloor);
