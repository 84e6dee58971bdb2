namespace LaMo.World;

/// <summary>Scenario families of the synthetic physics world.</summary>
/// <remarks>S1-S5 follow PhyWorld (docs/physics-benchmark.md); the rest are LaMo's extended families.
/// JSON and CLI names are the snake_case member names (e.g. <c>wall_bounce</c>).</remarks>
public enum Scenario
{
    /// <summary>S1: one ball in uniform motion along +x, no gravity.</summary>
    Uniform,
    /// <summary>S2: two balls at one height move towards each other and collide elastically.</summary>
    Collision,
    /// <summary>S3: horizontal launch under gravity.</summary>
    Parabola,
    /// <summary>S4: one ball bounces off a fixed black wall at x = 9 (restitution 1).</summary>
    WallBounce,
    /// <summary>S5: an S2 collision next to the S4 wall.</summary>
    WallCollision,
    /// <summary>Extended: balls dropped from rest bounce on a floor with restitution e.</summary>
    DropBounce,
    /// <summary>Extended: a ball slides along the floor and decelerates to rest under Coulomb friction.</summary>
    FrictionSlide,
    /// <summary>Extended: a ball on a massless string swings under gravity (exact, not small-angle).</summary>
    Pendulum,
}
