using Microsoft.ML.Tokenizers;

namespace LaMo.Models.Text;

/// <summary>T5's SentencePiece (unigram) tokenizer as CogVideoX calls it: <c>padding="max_length"</c>,
/// <c>max_length=226</c>, <c>truncation=True</c>, <c>add_special_tokens=True</c> — the pieces are cut to
/// max_length − 1, EOS is appended, then pad ids fill the rest.</summary>
/// <remarks>Built on Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>, fed an in-memory copy of
/// <c>spiece.model</c> whose <c>bos_id</c> is patched by <see cref="SentencePieceModelPatch"/> (T5 has none).
/// Not ported: HF's splitting of literal special-token strings such as <c>&lt;extra_id_0&gt;</c> or <c>&lt;/s&gt;</c>
/// inside a prompt (they are tokenized as ordinary text here).</remarks>
public sealed class T5Tokenizer
{
    /// <summary>CogVideoX's <c>max_sequence_length</c>.</summary>
    public const int DefaultMaxLength = 226;

    private readonly SentencePieceTokenizer _sp;

    /// <summary>L: the padded length of every encoded prompt (EOS included).</summary>
    public int MaxLength { get; }
    /// <summary>The pad id (0 for T5).</summary>
    public int PadId { get; }
    /// <summary>The EOS id appended to every prompt (1 for T5).</summary>
    public int EosId { get; }
    /// <summary>The unknown-piece id (2 for T5).</summary>
    public int UnkId { get; }

    private T5Tokenizer(SentencePieceTokenizer sp, SentencePieceModelPatch.SpecialIds ids, int maxLength)
    {
        _sp = sp; MaxLength = maxLength; PadId = ids.Pad; EosId = ids.Eos; UnkId = ids.Unk;
    }

    /// <summary>Loads <c>spiece.model</c> from <paramref name="path"/>; the file is only read.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a usable SentencePiece model.</exception>
    public static T5Tokenizer FromFile(string path, int maxLength = DefaultMaxLength)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file (expected T5's SentencePiece spiece.model)", path);
        try { return FromBytes(File.ReadAllBytes(path), maxLength); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Loads a SentencePiece model from its serialized bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> &lt; 2.</exception>
    /// <exception cref="InvalidDataException">The bytes are not a usable SentencePiece model, or it lacks pad/eos ids.</exception>
    public static T5Tokenizer FromBytes(byte[] model, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var ids = SentencePieceModelPatch.ReadSpecialIds(model);
        if (ids.Eos < 0) throw new InvalidDataException($"SentencePiece model has no eos_id ({ids.Eos}); T5 needs one");
        if (ids.Pad < 0) throw new InvalidDataException($"SentencePiece model has no pad_id ({ids.Pad}); T5 needs one");
        // Microsoft.ML.Tokenizers 2.0.1 indexes pieces[bos_id] and fails on −1: point BOS at <unk> instead.
        // We never ask it to add a BOS, so the value is otherwise unused.
        byte[] patched = ids.Bos < 0 ? SentencePieceModelPatch.WithBosId(model, ids.Unk) : model;
        try
        {
            using var stream = new MemoryStream(patched, writable: false);
            var sp = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
            return new T5Tokenizer(sp, ids, maxLength);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"not a usable SentencePiece model ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>The piece ids of <paramref name="text"/> without EOS, padding or truncation.</summary>
    public IReadOnlyList<int> EncodeToIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _sp.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
    }

    /// <summary>Tokenizes a batch: pieces truncated to <see cref="MaxLength"/> − 1, EOS appended, padded with
    /// <see cref="PadId"/>; the mask is 1 on pieces and EOS.</summary>
    /// <exception cref="ArgumentException"><paramref name="prompts"/> is empty or holds null.</exception>
    public TokenizedText Encode(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        var rows = new List<IReadOnlyList<long>>(prompts.Count);
        for (int b = 0; b < prompts.Count; b++)
        {
            if (prompts[b] is null) throw new ArgumentException($"prompt {b} is null", nameof(prompts));
            var ids = EncodeToIds(prompts[b]);
            var row = new List<long>(MaxLength);
            for (int i = 0; i < Math.Min(ids.Count, MaxLength - 1); i++) row.Add(ids[i]);
            row.Add(EosId);
            rows.Add(row);
        }
        return TokenizedText.Pad(rows, MaxLength, PadId);
    }
}
