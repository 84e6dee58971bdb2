namespace LaMo.Models.Text;

/// <summary>A deterministic word-level tokenizer for the physics world's captions: lower-case (invariant culture),
/// split on every non-letter, look each word up in a fixed vocabulary; unknown words map to <see cref="UnkId"/>,
/// padding is <see cref="PadId"/>, sequences are truncated to <see cref="MaxLength"/>. No EOS is added.</summary>
public sealed class WordTokenizer
{
    /// <summary>Id of padding.</summary>
    public const int PadId = 0;
    /// <summary>Id of any word not in the vocabulary.</summary>
    public const int UnkId = 1;
    /// <summary>Id of the first vocabulary word.</summary>
    public const int FirstWordId = 2;

    /// <summary>The default caption vocabulary: objects, colours, sizes, motions, speeds, scene and function words.</summary>
    public static IReadOnlyList<string> DefaultVocabulary { get; } =
    [
        // function words
        "a", "an", "the", "is", "are", "and", "of", "on", "off", "in", "into", "onto", "to", "from", "at", "with",
        "against", "across", "along", "down", "up", "over", "under", "its", "it", "another", "each", "other", "then",
        "left", "right", "toward", "towards", "away", "back", "forth",
        // objects and scene
        "ball", "balls", "floor", "ground", "wall", "walls", "pendulum", "string", "background", "ramp", "table",
        "surface", "scene", "camera", "plain", "dark", "light", "white", "black", "gray", "grey",
        // colours and sizes
        "red", "blue", "green", "yellow", "small", "large", "big", "tiny", "heavy",
        // motions
        "rolls", "roll", "rolling", "moves", "move", "moving", "bounces", "bounce", "bouncing", "falls", "fall",
        "falling", "dropped", "drops", "drop", "slides", "slide", "sliding", "swings", "swing", "swinging",
        "collides", "collide", "colliding", "hits", "stops", "rests", "still",
        // speeds
        "slowly", "quickly", "fast", "slow", "gently",
    ];

    private readonly Dictionary<string, int> _ids;

    /// <summary>The words, in id order starting at <see cref="FirstWordId"/>.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>L: every tokenized caption has this many ids.</summary>
    public int MaxLength { get; }

    /// <summary>Number of ids: pad + unk + words.</summary>
    public int VocabSize => Vocabulary.Count + FirstWordId;

    /// <summary>Creates a tokenizer over <paramref name="vocabulary"/> (<see cref="DefaultVocabulary"/> when null).</summary>
    /// <exception cref="ArgumentException">A word is empty, not lower-case letters only, or repeated.</exception>
    public WordTokenizer(int maxLength, IReadOnlyList<string>? vocabulary = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        Vocabulary = vocabulary ?? DefaultVocabulary;
        MaxLength = maxLength;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Vocabulary.Count; i++)
        {
            string w = Vocabulary[i];
            if (string.IsNullOrEmpty(w) || !w.All(c => char.IsLetter(c) && char.ToLowerInvariant(c) == c))
                throw new ArgumentException($"vocabulary[{i}] ('{w}') must be a non-empty lower-case word of letters only", nameof(vocabulary));
            if (!_ids.TryAdd(w, i + FirstWordId))
                throw new ArgumentException($"vocabulary[{i}] ('{w}') is repeated", nameof(vocabulary));
        }
    }

    /// <summary>The words of <paramref name="text"/>: lower-cased and split on non-letters.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0) start = i;
            else if (!letter && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return words;
    }

    /// <summary>The id of one (already lower-case) word, or <see cref="UnkId"/>.</summary>
    public int IdOf(string word) => _ids.TryGetValue(word, out int id) ? id : UnkId;

    /// <summary>Tokenizes a batch: ids truncated to <see cref="MaxLength"/>, padded with <see cref="PadId"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="prompts"/> is empty or holds null.</exception>
    public TokenizedText Encode(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        var rows = new List<IReadOnlyList<long>>(prompts.Count);
        for (int b = 0; b < prompts.Count; b++)
        {
            if (prompts[b] is null) throw new ArgumentException($"prompt {b} is null", nameof(prompts));
            rows.Add(Words(prompts[b]).Take(MaxLength).Select(w => (long)IdOf(w)).ToList());
        }
        return TokenizedText.Pad(rows, MaxLength, PadId);
    }
}
