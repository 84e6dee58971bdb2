using System.Text;

namespace LaMo.Tests.Models.Text;

/// <summary>Writes a tiny but valid SentencePiece unigram ModelProto by hand (field numbers from
/// sentencepiece_model.proto), laid out like T5's: pad 0, eos 1, unk 2, bos_id = −1.</summary>
internal static class TinySentencePieceModel
{
    public const int Pad = 0, Eos = 1, Unk = 2;

    /// <summary>(piece, score, type): type 1 normal, 2 unknown, 3 control.</summary>
    public static readonly (string Piece, float Score, int Type)[] Pieces =
    [
        ("<pad>", 0f, 3), ("</s>", 0f, 3), ("<unk>", 0f, 2),
        ("▁the", -2f, 1), ("▁red", -2f, 1), ("▁ball", -2f, 1), ("▁rolls", -2.5f, 1), ("▁blue", -2f, 1),
        ("▁", -3f, 1), ("s", -4f, 1), ("r", -5f, 1), ("e", -5f, 1), ("d", -5f, 1), ("b", -5f, 1), ("a", -5f, 1),
        ("l", -5f, 1), ("o", -5f, 1), ("t", -5f, 1), ("h", -5f, 1), ("u", -5f, 1),
    ];

    public static int IdOf(string piece) => Array.FindIndex(Pieces, p => p.Piece == piece);

    public static byte[] Build(int bosId = -1)
    {
        var model = new List<byte>();
        foreach (var (piece, score, type) in Pieces)
        {
            var sp = new List<byte>();
            Bytes(sp, 1, Encoding.UTF8.GetBytes(piece));
            Tag(sp, 2, 5); sp.AddRange(BitConverter.GetBytes(score));
            Varint(sp, 3, (ulong)type);
            Bytes(model, 1, sp.ToArray());
        }
        var trainer = new List<byte>();
        Varint(trainer, 3, 1);                                   // model_type = UNIGRAM
        Varint(trainer, 4, (ulong)Pieces.Length);                // vocab_size
        Varint(trainer, 40, Unk);
        Varint(trainer, 41, unchecked((ulong)(long)bosId));      // −1 → 10-byte varint, as protoc writes it
        Varint(trainer, 42, Eos);
        Varint(trainer, 43, Pad);
        Bytes(model, 2, trainer.ToArray());
        var normalizer = new List<byte>();
        Bytes(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
        Varint(normalizer, 3, 1);                                // add_dummy_prefix
        Varint(normalizer, 4, 1);                                // remove_extra_whitespaces
        Varint(normalizer, 5, 1);                                // escape_whitespaces
        Bytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    private static void Tag(List<byte> o, int field, int wire) => Raw(o, (ulong)((field << 3) | wire));

    private static void Varint(List<byte> o, int field, ulong v) { Tag(o, field, 0); Raw(o, v); }

    private static void Bytes(List<byte> o, int field, byte[] data) { Tag(o, field, 2); Raw(o, (ulong)data.Length); o.AddRange(data); }

    private static void Raw(List<byte> o, ulong v)
    {
        while (v >= 0x80) { o.Add((byte)(v | 0x80)); v >>= 7; }
        o.Add((byte)v);
    }
}
