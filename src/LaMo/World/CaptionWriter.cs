namespace LaMo.World;

/// <summary>Writes a varied English caption that is true of its clip: colours, size and speed words follow the
/// bins in <see cref="CaptionWords"/>, and events (collision, bounce, coming to rest) are only claimed when the
/// ground truth has them inside the clip. No numbers are ever written.</summary>
public static class CaptionWriter
{
    /// <summary>Captions a simulated clip (its <see cref="WorldClip.Caption"/> is ignored).</summary>
    public static string Write(WorldClip clip, WorldRng rng)
    {
        var end = clip.Frames[^1].Time;
        var ev = clip.Events.Where(e => e.Time <= end).ToArray();
        var bg = Background(clip.Render.Background, rng);
        if (clip.Condition is { Background: not "uniform" } cond) bg = ConditionCaption.Background(cond, rng);
        var text = clip.Scenario switch
        {
            Scenario.Uniform => Uniform(clip, rng, bg),
            Scenario.Parabola => Parabola(clip, rng, bg),
            Scenario.WallBounce => WallBounce(clip, ev, rng, bg),
            Scenario.Collision or Scenario.WallCollision => Collision(clip, ev, rng, bg),
            Scenario.DropBounce => Drop(clip, ev, rng, bg),
            Scenario.FrictionSlide => Friction(clip, ev, rng, bg),
            Scenario.Pendulum => Pendulum(clip, rng, bg),
            _ => throw new ArgumentOutOfRangeException(nameof(clip)),
        };
        // World v2 words come from their own stream, so a v1 clip's caption is unchanged.
        if (clip.Condition is not null) text += ConditionCaption.Clauses(clip, new WorldRng(WorldRng.Derive(clip.Seed, WorldRng.Hash("caption-v2"))));
        return char.ToUpperInvariant(text[0]) + text[1..].Replace("  ", " ").Replace(" ,", ",") + ".";
    }

    private static string Background(string name, WorldRng rng) =>
        rng.Pick([$"on a {name} background", $"against a {name} background", $"in front of a plain {name} backdrop"]);

    // "a small fast red ball", with article agreement.
    private static string Ball(ObjectSpec o, WorldRng rng, double? speed = null)
    {
        var words = new List<string>();
        var size = rng.Pick(CaptionWords.Sizes(CaptionWords.Size(o.Radius)));
        if (size != "") words.Add(size);
        if (speed is { } v)
        {
            var adj = rng.Pick(CaptionWords.Adjectives(CaptionWords.Speed(v)));
            if (adj != "") words.Add(adj);
        }
        words.Add(o.Colour);
        words.Add("ball");
        return Article(words[0]) + " " + string.Join(' ', words);
    }

    private static string Article(string word) => "aeiou".Contains(word[0]) ? "an" : "a";

    private static string Adverb(double v, WorldRng rng) => rng.Pick(CaptionWords.Adverbs(CaptionWords.Speed(v)));

    private static string Uniform(WorldClip c, WorldRng rng, string bg)
    {
        var o = c.Objects[0];
        var v = c.Parameters["v_a"];
        var ball = Ball(o, rng);
        if (v == 0) return $"{ball} sits still {bg}";
        var adv = Adverb(v, rng);
        return rng.NextInt(3) switch
        {
            0 => $"{ball} moves {adv} to the right {bg}",
            1 => $"{ball} travels {adv} from left to right in a straight line {bg}",
            _ => $"{bg}, {ball} glides {adv} to the right without changing speed",
        };
    }

    private static string Parabola(WorldClip c, WorldRng rng, string bg)
    {
        var v = c.Parameters["v_a"];
        var ball = Ball(c.Objects[0], rng);
        if (v == 0) return $"{ball} is released and falls straight down {bg}";
        var adv = Adverb(v, rng);
        return rng.NextInt(3) switch
        {
            0 => $"{ball} is launched horizontally {adv} and falls along a parabolic arc {bg}",
            1 => $"{ball} flies {adv} to the right and curves downward under gravity {bg}",
            _ => $"thrown sideways {adv}, {ball} arcs downward as it falls {bg}",
        };
    }

    private static string WallBounce(WorldClip c, WorldEvent[] ev, WorldRng rng, string bg)
    {
        var v = c.Parameters["v_a"];
        var ball = Ball(c.Objects[0], rng);
        if (v == 0) return $"{ball} sits still near a black wall {bg}";
        var adv = Adverb(v, rng);
        if (!ev.Any(e => e.Kind == "wall")) return $"{ball} moves {adv} toward a black wall on the right {bg}";
        return rng.NextInt(3) switch
        {
            0 => $"{ball} moves {adv} to the right, bounces off the black wall and travels back to the left {bg}",
            1 => $"{ball} heads {adv} toward a black wall on the right and rebounds from it {bg}",
            _ => $"{bg}, {ball} moves {adv} into a black wall and bounces straight back",
        };
    }

    private static string Collision(WorldClip c, WorldEvent[] ev, WorldRng rng, string bg)
    {
        var a = Ball(c.Objects[0], rng, c.Parameters["v_a"]);
        var b = Ball(c.Objects[1], rng, c.Parameters["v_b"]);
        var wall = c.Scenario == Scenario.WallCollision;
        var near = wall ? rng.Pick([" next to a black wall", " near a black wall on the right"]) : "";
        if (c.Parameters["v_a"] + c.Parameters["v_b"] == 0) return $"{a} and {b} sit still side by side{near} {bg}";
        if (!ev.Any(e => e.Kind == "collision")) return $"{a} and {b} draw closer together{near} {bg}";
        var s = rng.NextInt(3) switch
        {
            0 => $"{a} and {b} move toward each other and collide head-on{near}",
            1 => $"{a} coming from the left meets {b} coming from the right{near}, and the two separate after the impact",
            _ => $"two balls, {a} and {b}, approach each other{near} and collide elastically",
        };
        var bouncers = c.Objects.Where(o => ev.Any(e => e.Kind == "wall" && e.Object == o.Id)).Select(o => o.Colour).ToArray();
        if (bouncers.Length == 1) s += $"; then the {bouncers[0]} ball bounces off the wall";
        else if (bouncers.Length > 1) s += "; then both balls bounce off the wall";
        return $"{s} {bg}";
    }

    private static string Drop(WorldClip c, WorldEvent[] ev, WorldRng rng, string bg)
    {
        var floor = rng.Pick(["the grey floor", "the floor", "the ground"]);
        var parts = c.Objects.Select(o =>
        {
            var tag = (char)('a' + o.Id);
            var v = c.Parameters[$"v_{tag}"];
            var ball = Ball(o, rng);
            if (v == 0) return $"{ball} rests on {floor}";
            var height = rng.Pick(CaptionWords.Heights(CaptionWords.Speed(v)));
            var bounces = ev.Count(e => e.Kind == "floor_bounce" && e.Object == o.Id);
            var rests = ev.Any(e => e.Kind == "rest" && e.Object == o.Id);
            var how = bounces switch
            {
                0 => $"falls toward {floor}",
                1 => $"bounces back up off {floor}",
                2 => $"bounces twice on {floor}",
                _ => $"bounces several times on {floor}",
            };
            return $"{ball} is dropped {height} and {how}{(rests ? " before coming to rest" : "")}";
        }).ToArray();
        return parts.Length == 1 ? $"{parts[0]} {bg}" : $"{parts[0]}, while {parts[1]}, {bg}";
    }

    private static string Friction(WorldClip c, WorldEvent[] ev, WorldRng rng, string bg)
    {
        var v = c.Parameters["v_a"];
        var ball = Ball(c.Objects[0], rng);
        if (v == 0) return $"{ball} rests on the grey floor {bg}";
        var adv = Adverb(v, rng);
        var stops = ev.Any(e => e.Kind == "stop");
        return rng.NextInt(2) switch
        {
            0 when stops => $"{ball} slides {adv} along the grey floor and friction brings it to a stop {bg}",
            _ when stops => $"pushed {adv} along a rough floor, {ball} skids to the right and comes to rest {bg}",
            0 => $"{ball} slides {adv} along the grey floor, losing speed to friction {bg}",
            _ => $"pushed {adv} along a rough floor, {ball} skids to the right and loses speed {bg}",
        };
    }

    private static string Pendulum(WorldClip c, WorldRng rng, string bg)
    {
        var theta0 = c.Parameters["theta0"];
        var side = theta0 < 0 ? "left" : "right";
        var ball = Ball(c.Objects[0], rng);
        var deg = Math.Abs(theta0) * 180 / Math.PI;
        var arc = deg < 20 ? rng.Pick(["gently ", "in a shallow arc "]) : deg > 35 ? rng.Pick(["in a wide arc ", "widely "]) : "";
        var end = c.Frames[^1].Time;
        var period = c.Parameters["period"];
        var motion = end >= period / 2 ? "to the other side"
            : end >= period / 4 ? "down through the lowest point" : "down toward the lowest point";
        return rng.NextInt(2) switch
        {
            0 => $"{ball} hanging from a thin string is released from the {side} and swings {arc}{motion} {bg}",
            _ => $"a pendulum with {ball} on a string swings {arc}{motion} after being let go on the {side} {bg}",
        };
    }
}
