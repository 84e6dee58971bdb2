using System.Text.RegularExpressions;
using LaMo.World;
using Xunit;

namespace LaMo.Tests.World;

public class CaptionTests
{
    // Independent expectations: phrase -> allowed speed interval (units/s).
    private static readonly (string Phrase, double Lo, double Hi)[] SpeedPhrases =
    [
        ("extremely quickly", 4.4, 99), ("very fast", 4.4, 99), ("at high speed", 4.4, 99), ("speeding", 4.4, 99),
        ("very slowly", 0, 0.9), ("very slow", 0, 0.9), ("at a crawl", 0, 0.9), ("crawling", 0, 0.9),
        ("quickly", 3, 4.4), ("rapidly", 3, 4.4), ("at a brisk pace", 3, 4.4), ("fast-moving", 3, 4.4), ("fast", 3, 4.4), ("quick", 3, 4.4),
        ("slowly", 0.9, 2), ("at a gentle pace", 0.9, 2), ("unhurriedly", 0.9, 2), ("slow-moving", 0.9, 2), ("slow", 0.9, 2),
        ("at a moderate speed", 2, 3), ("at a medium pace", 2, 3),
        ("from just above the floor", 0, 0.9), ("from a low height", 0.9, 2), ("from just a short way up", 0.9, 2),
        ("from a medium height", 2, 3), ("from high up", 3, 4.4), ("from a good height", 3, 4.4),
        ("from very high up", 4.4, 99), ("from near the top of the frame", 4.4, 99),
    ];

    private static readonly (string Word, double Lo, double Hi)[] SizeWords =
    [
        ("tiny", 0, 0.65), ("small", 0.65, 0.9), ("little", 0.65, 0.9), ("medium-sized", 0.9, 1.2),
        ("very large", 1.5, 9), ("huge", 1.5, 9), ("large", 1.2, 1.5), ("big", 1.2, 1.5),
    ];

    public static TheoryData<Scenario, string> Cases()
    {
        var d = new TheoryData<Scenario, string>();
        foreach (var s in ScenarioNames.All)
            foreach (var split in SplitRanges.StandardNames.Skip(1))
                d.Add(s, split);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Caption_IsTrueOfItsClip(Scenario s, string split)
    {
        for (var i = 0; i < 25; i++)
        {
            var c = WorldPhysicsTests.Generate(s, split, i, frames: i % 2 == 0 ? 17 : 33);
            var text = c.Caption;
            Assert.DoesNotMatch("[0-9]", text);
            Assert.EndsWith(".", text);
            Assert.True(char.IsUpper(text[0]), text);
            // Colours: exactly the objects' colours are named, plus the background.
            var named = Palette.BallColours.Where(col => Regex.IsMatch(text, $@"\b{col}\b")).ToHashSet();
            Assert.True(named.SetEquals(c.Objects.Select(o => o.Colour)), $"{text} | {string.Join(",", c.Objects.Select(o => o.Colour))}");
            Assert.Contains($"{c.Render.Background} back", text);
            CheckSpeedWords(c, text);
            CheckSizeWords(c, text);
            CheckEvents(c, text);
        }
    }

    [Fact]
    public void Captions_AreVaried()
    {
        var texts = Enumerable.Range(0, 40).Select(i => WorldPhysicsTests.Generate(Scenario.Uniform, "train", i).Caption).ToArray();
        var openings = texts.Select(t => string.Join(' ', t.Split(' ').Take(3))).Distinct().Count();
        Assert.True(texts.Distinct().Count() >= 30);
        Assert.True(openings >= 5, $"{openings} openings");
    }

    private static string Strip(ref string text, string phrase)
    {
        var m = Regex.Match(text, $@"\b{Regex.Escape(phrase)}\b");
        if (!m.Success) return "";
        text = text.Remove(m.Index, m.Length).Insert(m.Index, "#");
        return phrase;
    }

    private static void CheckSpeedWords(WorldClip c, string text)
    {
        // Longest phrases first; each hit must agree with some moving object's speed (adjectives with their own ball).
        var speeds = c.Parameters.Where(p => p.Key.StartsWith("v_")).ToDictionary(p => c.Objects[p.Key[2] - 'a'].Colour, p => p.Value);
        var work = text;
        foreach (var (phrase, lo, hi) in SpeedPhrases)
            while (Strip(ref work, phrase) != "")
            {
                var adjective = Regex.Match(text, $@"\b{Regex.Escape(phrase)} (red|blue|green) ball");
                var candidates = adjective.Success ? [speeds[adjective.Groups[1].Value]] : speeds.Values.ToArray();
                Assert.True(candidates.Any(v => v >= lo && v <= hi), $"'{phrase}' vs {string.Join(",", candidates)}: {text}");
                if (adjective.Success) text = text.Remove(adjective.Index, phrase.Length).Insert(adjective.Index, "#");
            }
        if (c.Scenario is Scenario.Uniform or Scenario.Parabola or Scenario.WallBounce or Scenario.FrictionSlide && c.Parameters["v_a"] > 0
            && CaptionWords.Speed(c.Parameters["v_a"]) != SpeedBin.Moderate)
            Assert.NotEqual(text, work); // a speed word is present
    }

    private static void CheckSizeWords(WorldClip c, string text)
    {
        foreach (var (word, lo, hi) in SizeWords)
            while (Strip(ref text, word) != "")
                Assert.True(c.Objects.Any(o => o.Radius >= lo && o.Radius <= hi), $"'{word}' vs {string.Join(",", c.Objects.Select(o => o.Radius))}: {c.Caption}");
    }

    private static void CheckEvents(WorldClip c, string text)
    {
        var end = c.Frames[^1].Time;
        bool Has(string kind) => c.Events.Any(e => e.Kind == kind && e.Time <= end);
        if (Regex.IsMatch(text, @"collide|impact")) Assert.True(Has("collision"), text);
        if (Regex.IsMatch(text, @"bounces? off|rebounds? from|bounces straight back")) Assert.True(Has("wall"), text);
        if (text.Contains("coming to rest") || text.Contains("comes to rest") || text.Contains("to a stop"))
            Assert.True(Has("rest") || Has("stop"), text);
        if (Regex.IsMatch(text, @"bounces (twice|several|back up)")) Assert.True(Has("floor_bounce"), text);
        if (text.Contains("several times")) Assert.True(c.Events.Count(e => e.Kind == "floor_bounce" && e.Time <= end) >= 3, text);
        if (c.Scenario == Scenario.Pendulum)
            Assert.Contains(c.Parameters["theta0"] < 0 ? "left" : "right", text);
    }
}
