using LaMo.Models.Text;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace LaMo.Tests.Models.Text;

public class T5TokenizerTests
{
    private static int Id(string piece) => TinySentencePieceModel.IdOf(piece);

    [Fact]
    public void MlTokenizers_UnpatchedBosMinusOne_Fails()
    {
        // Documents why the patch exists; if a future Microsoft.ML.Tokenizers accepts bos_id = −1 this test says so.
        using var stream = new MemoryStream(TinySentencePieceModel.Build(bosId: -1));
        Assert.ThrowsAny<Exception>(() => SentencePieceTokenizer.Create(stream, false, false));
    }

    [Fact]
    public void ReadSpecialIds_T5Layout_ReadsMinusOneBos()
    {
        var ids = SentencePieceModelPatch.ReadSpecialIds(TinySentencePieceModel.Build());
        Assert.Equal(new SentencePieceModelPatch.SpecialIds(Unk: 2, Bos: -1, Eos: 1, Pad: 0), ids);
    }

    [Fact]
    public void WithBosId_RewritesOnlyBos()
    {
        byte[] original = TinySentencePieceModel.Build();
        byte[] copy = (byte[])original.Clone();
        var patched = SentencePieceModelPatch.WithBosId(original, 2);
        Assert.Equal(copy, original);                         // input untouched
        Assert.Equal(new SentencePieceModelPatch.SpecialIds(2, 2, 1, 0), SentencePieceModelPatch.ReadSpecialIds(patched));
        Assert.Equal(original.Length - 9, patched.Length);    // 10-byte varint −1 became the 1-byte varint 2
    }

    [Fact]
    public void WithBosId_Truncated_ThrowsInvalidData()
    {
        var bytes = TinySentencePieceModel.Build();
        Assert.Throws<InvalidDataException>(() => SentencePieceModelPatch.WithBosId(bytes.AsSpan(0, bytes.Length - 3), 2));
    }

    [Fact]
    public void EncodeToIds_KnownWords_WholeWordPieces()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build());
        Assert.Equal([Id("▁the"), Id("▁red"), Id("▁ball"), Id("▁rolls")], tok.EncodeToIds("the red ball rolls"));
    }

    [Fact]
    public void EncodeToIds_ExtraWhitespace_Removed()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build());
        Assert.Equal(tok.EncodeToIds("the red"), tok.EncodeToIds("  the   red "));
    }

    [Fact]
    public void EncodeToIds_Plural_SplitsIntoWordAndSuffix()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build());
        // Viterbi: ▁red + s scores −6, ▁ r e d s scores −23.
        Assert.Equal([Id("▁red"), Id("s")], tok.EncodeToIds("reds"));
    }

    [Fact]
    public void EncodeToIds_UnknownCharacter_ContainsUnk()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build());
        var ids = tok.EncodeToIds("the zed");
        Assert.Equal(Id("▁the"), ids[0]);
        Assert.Contains(TinySentencePieceModel.Unk, ids);
    }

    [Fact]
    public void Encode_PadsToMaxLengthWithEos()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build(), maxLength: 8);
        var t = tok.Encode(["the red ball", ""]);
        Assert.Equal((2, 8), (t.BatchSize, t.Length));
        Assert.Equal([Id("▁the"), Id("▁red"), Id("▁ball"), 1, 0, 0, 0, 0], t.Row(0).ToArray());
        Assert.Equal([1L, 0, 0, 0, 0, 0, 0, 0], t.Row(1).ToArray());           // empty prompt → just EOS
        Assert.Equal([1L, 1, 1, 1, 0, 0, 0, 0], t.Mask.AsSpan(0, 8).ToArray());
        Assert.Equal([1L, 0, 0, 0, 0, 0, 0, 0], t.Mask.AsSpan(8, 8).ToArray());
    }

    [Fact]
    public void Encode_TooLong_TruncatesAndKeepsEos()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build(), maxLength: 4);
        var t = tok.Encode(["the red ball rolls the blue ball"]);
        Assert.Equal([Id("▁the"), Id("▁red"), Id("▁ball"), 1], t.Row(0).ToArray());
        Assert.All(t.Mask, m => Assert.Equal(1, m));
    }

    [Fact]
    public void Encode_DefaultMaxLength_Is226()
    {
        var tok = T5Tokenizer.FromBytes(TinySentencePieceModel.Build());
        Assert.Equal(226, tok.Encode(["the ball"]).Length);
    }

    [Fact]
    public void FromFile_DoesNotModifyFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lamo-spiece-{Guid.NewGuid():N}.model");
        try
        {
            var bytes = TinySentencePieceModel.Build();
            File.WriteAllBytes(path, bytes);
            var tok = T5Tokenizer.FromFile(path);
            Assert.Equal(1, tok.EosId);
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void FromBytes_Garbage_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => T5Tokenizer.FromBytes([0x12, 0x05, 0x01]));
    }
}
