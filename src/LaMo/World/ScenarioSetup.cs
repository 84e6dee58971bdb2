namespace LaMo.World;

/// <summary>A sampled initial configuration, before simulation.</summary>
internal sealed record ScenarioSetup(
    IReadOnlyList<ObjectSpec> Objects,
    IReadOnlyList<BodyInit> Bodies,
    SceneGeometry Scene,
    string Background,
    SortedDictionary<string, double> Parameters,
    PendulumMotion? Pendulum = null);
