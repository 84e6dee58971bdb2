namespace LaMo.Models.Text;

/// <summary>Reads and rewrites the special-token ids in a SentencePiece <c>ModelProto</c> (spiece.model) without a
/// protobuf library: the work-around that lets Microsoft.ML.Tokenizers 2.0.1 load T5's model, which has
/// <c>bos_id = -1</c> (no BOS) and crashes its loader.</summary>
/// <remarks>Field numbers from sentencepiece_model.proto: ModelProto.trainer_spec = 2 (message);
/// TrainerSpec.unk_id = 40, bos_id = 41, eos_id = 42, pad_id = 43 (int32 varints; −1 is a 10-byte varint).
/// Every other byte is copied unchanged. The user's file is never modified: this works on a copy in memory.</remarks>
public static class SentencePieceModelPatch
{
    private const int TrainerSpecField = 2, UnkIdField = 40, BosIdField = 41, EosIdField = 42, PadIdField = 43;

    /// <summary>The special ids recorded in a model (proto defaults where a field is absent: unk 0, bos 1, eos 2, pad −1).</summary>
    public readonly record struct SpecialIds(int Unk, int Bos, int Eos, int Pad);

    /// <summary>Reads unk/bos/eos/pad ids from the model's trainer_spec.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf.</exception>
    public static SpecialIds ReadSpecialIds(ReadOnlySpan<byte> model)
    {
        var ids = new SpecialIds(0, 1, 2, -1);
        int pos = 0;
        while (pos < model.Length)
        {
            var (field, wire, start, end) = ReadField(model, ref pos);
            if (field != TrainerSpecField || wire != 2) continue;
            var spec = model[start..end];
            int p = 0;
            while (p < spec.Length)
            {
                var (f, w, s, _) = ReadField(spec, ref p);
                if (w != 0) continue;
                int s2 = s;
                int value = unchecked((int)ReadVarint(spec, ref s2));
                ids = f switch
                {
                    UnkIdField => ids with { Unk = value },
                    BosIdField => ids with { Bos = value },
                    EosIdField => ids with { Eos = value },
                    PadIdField => ids with { Pad = value },
                    _ => ids,
                };
            }
        }
        return ids;
    }

    /// <summary>Returns a copy of <paramref name="model"/> whose trainer_spec.bos_id is <paramref name="bosId"/>
    /// (all previous bos_id entries removed). Use the unk id for T5: a BOS is never emitted, and the only visible effect
    /// is that the literal text "&lt;unk&gt;" maps to the unk id, as it does in HF's tokenizer.</summary>
    /// <exception cref="InvalidDataException">The model has no trainer_spec or is malformed.</exception>
    public static byte[] WithBosId(ReadOnlySpan<byte> model, int bosId)
    {
        var output = new List<byte>(model.Length + 16);
        bool found = false;
        int pos = 0;
        while (pos < model.Length)
        {
            int fieldStart = pos;
            var (field, wire, start, end) = ReadField(model, ref pos);
            if (field == TrainerSpecField && wire == 2)
            {
                found = true;
                var spec = new List<byte>(end - start + 11);
                var src = model[start..end];
                int p = 0;
                while (p < src.Length)
                {
                    int fs = p;
                    var (f, _, _, _) = ReadField(src, ref p);
                    if (f != BosIdField) spec.AddRange(src[fs..p].ToArray());
                }
                WriteVarint(spec, (BosIdField << 3) | 0);
                WriteVarint(spec, unchecked((ulong)(long)bosId));      // int32 −1 encodes as 10 bytes, like protoc
                WriteVarint(output, (TrainerSpecField << 3) | 2);
                WriteVarint(output, (ulong)spec.Count);
                output.AddRange(spec);
            }
            else output.AddRange(model[fieldStart..pos].ToArray());
        }
        if (!found) throw new InvalidDataException("SentencePiece model has no trainer_spec (field 2)");
        return output.ToArray();
    }

    /// <summary>Reads one field header and skips its payload; returns the payload span for wire types 0 and 2.</summary>
    private static (int Field, int Wire, int Start, int End) ReadField(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong key = ReadVarint(data, ref pos);
        int field = (int)(key >> 3), wire = (int)(key & 7);
        if (field == 0) throw new InvalidDataException($"SentencePiece model: field number 0 at byte {pos}");
        int start = pos;
        switch (wire)
        {
            case 0: ReadVarint(data, ref pos); break;
            case 1: pos += 8; break;
            case 2:
                ulong len = ReadVarint(data, ref pos);
                if (len > (ulong)(data.Length - pos)) throw new InvalidDataException($"SentencePiece model: field {field} overruns the data");
                start = pos;
                pos += (int)len;
                break;
            case 5: pos += 4; break;
            default: throw new InvalidDataException($"SentencePiece model: unsupported wire type {wire} for field {field}");
        }
        if (pos > data.Length) throw new InvalidDataException($"SentencePiece model: field {field} is truncated");
        return (field, wire, start, pos);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException("SentencePiece model: truncated varint");
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("SentencePiece model: varint longer than 10 bytes");
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }
}
