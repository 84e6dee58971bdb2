using LaMo.Models.Text;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

[Collection("Torch")]
public class WordTextEncoderTests
{
    private static readonly WordTokenizer Tok = new(32);

    private static WordTextEncoder Make(int seed = 0, WordTextEncoderConfig? config = null)
    {
        manual_seed(seed);
        return new WordTextEncoder(config);
    }

    [Fact]
    public void Words_LowerCasesAndSplitsOnNonLetters()
    {
        Assert.Equal(["a", "small", "red", "ball", "is", "dropped", "onto", "the", "floor"],
            WordTokenizer.Words("A small RED ball is dropped, onto the-floor!"));
        Assert.Empty(WordTokenizer.Words("  12 ,, "));
    }

    [Fact]
    public void Encode_SampleCaption_KnownIds()
    {
        var t = Tok.Encode(["The large blue ball rolls slowly."]);
        long[] expected = new[] { "the", "large", "blue", "ball", "rolls", "slowly" }.Select(w => (long)Tok.IdOf(w)).ToArray();
        Assert.All(expected, id => Assert.True(id >= WordTokenizer.FirstWordId));
        Assert.Equal(expected, t.Row(0)[..6].ToArray());
        Assert.All(t.Row(0)[6..].ToArray(), id => Assert.Equal(WordTokenizer.PadId, id));
        Assert.Equal(Enumerable.Repeat(1L, 6).Concat(Enumerable.Repeat(0L, 26)), t.Mask);
    }

    [Fact]
    public void Encode_UnknownWord_MapsToUnk()
    {
        var t = Tok.Encode(["a purple ball"]);
        Assert.Equal(WordTokenizer.UnkId, t.Row(0)[1]);
        Assert.Equal(Tok.IdOf("ball"), t.Row(0)[2]);
        Assert.Equal(3, t.Mask.Sum());
    }

    [Fact]
    public void Encode_LongCaption_Truncates()
    {
        var tok = new WordTokenizer(4);
        var t = tok.Encode(["the red ball swings on a string fast", ""]);
        Assert.Equal(["the", "red", "ball", "swings"], t.Row(0).ToArray().Select(id => tok.Vocabulary[(int)id - WordTokenizer.FirstWordId]));
        Assert.Equal([1L, 1, 1, 1, 0, 0, 0, 0], t.Mask);
    }

    [Fact]
    public void Vocabulary_ContainsTheWorldWords()
    {
        foreach (var w in "red blue green small large big tiny rolls moves bounces falls is dropped slides swings collides slowly quickly fast floor wall pendulum string background".Split(' '))
            Assert.NotEqual(WordTokenizer.UnkId, Tok.IdOf(w));
    }

    [Fact]
    public void Tokenizer_RepeatedWord_Throws()
    {
        Assert.Throws<ArgumentException>(() => new WordTokenizer(8, ["ball", "red", "ball"]));
        Assert.Throws<ArgumentException>(() => new WordTokenizer(8, ["Ball"]));
    }

    [Fact]
    public void Encode_ShapeMaskAndParameterBudget()
    {
        using var enc = Make();
        using var e = enc.Encode(["a red ball bounces", "", "the pendulum swings quickly"]);
        Assert.Equal([3L, 32, 64], e.Embeddings.shape);
        Assert.Equal(new long[] { 4, 0, 4 }, e.Mask.sum(1).data<long>().ToArray());
        Assert.True(e.Embeddings.isfinite().all().item<bool>());          // the empty caption masks every key
        Assert.InRange(enc.ParameterCount(), 10_000, 200_000);
    }

    [Fact]
    public void Encode_RealTokensIgnorePaddingContent()
    {
        // Padded keys are masked: real-token outputs of "red ball" do not depend on what sits at pad positions.
        using var enc = Make();
        enc.eval();
        using var ids = tensor(new long[] { Tok.IdOf("red"), Tok.IdOf("ball"), 0, 0, 5, 9, 11, 3 }, [1, 8]);
        using var ids0 = tensor(new long[] { Tok.IdOf("red"), Tok.IdOf("ball"), 0, 0, 0, 0, 0, 0 }, [1, 8]);
        using var mask = tensor(new long[] { 1, 1, 0, 0, 0, 0, 0, 0 }, [1, 8]);
        using var a = enc.forward(ids, mask);
        using var b = enc.forward(ids0, mask);
        Assert.True((a[.., ..2] - b[.., ..2]).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Encode_DifferentCaptions_DifferentEmbeddings()
    {
        using var enc = Make();
        using var e = enc.Encode(["red ball", "blue ball"]);
        Assert.True((e.Embeddings[0] - e.Embeddings[1]).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void SaveLoad_RoundTrip_BitIdentical()
    {
        using var dir = new TempDir();
        using var enc = Make(7, WordTextEncoderConfig.Default with { NumLayers = 1, MaxLength = 16 });
        enc.Save(dir.Sub("text_encoder"));
        using var loaded = WordTextEncoder.FromPretrained(dir.Path);
        Assert.Equal(enc.Config.EffectiveVocabulary, loaded.Config.EffectiveVocabulary);
        foreach (var (k, v) in enc.state_dict())
            Assert.True(v.equal(loaded.state_dict()[k]).all().item<bool>(), k);
        using var a = enc.Encode(["a green ball falls fast"]);
        using var b = loaded.Encode(["a green ball falls fast"]);
        Assert.True(a.Embeddings.equal(b.Embeddings).all().item<bool>());
        Assert.Contains("\"_class_name\": \"WordTextEncoder\"", File.ReadAllText(dir.Sub("text_encoder", "config.json")));
    }

    [Fact]
    public void Encode_GradientsReachTheEmbeddingTable()
    {
        using var enc = Make();
        using var e = enc.Encode(["the small red ball rolls"]);
        using var loss = e.Embeddings.pow(2).mean();
        loss.backward();
        var grad = enc.state_dict()["token_embedding.weight"].grad;
        Assert.NotNull(grad);
        Assert.True(grad![Tok.IdOf("red")].abs().sum().item<float>() > 0);
        Assert.Equal(0f, grad[Tok.IdOf("pendulum")].abs().sum().item<float>());   // unused word gets no gradient
    }

    [Theory]
    [InlineData("max_length", 0)]
    [InlineData("num_heads", 3)]
    [InlineData("embedding_dim", -1)]
    [InlineData("ff_dim", 0)]
    public void Config_BadField_ValidateNamesIt(string key, int value)
    {
        var c = key switch
        {
            "max_length" => WordTextEncoderConfig.Default with { MaxLength = value },
            "num_heads" => WordTextEncoderConfig.Default with { NumHeads = value },
            "embedding_dim" => WordTextEncoderConfig.Default with { EmbeddingDim = value },
            _ => WordTextEncoderConfig.Default with { FfDim = value },
        };
        var e = Assert.Throws<InvalidDataException>(c.Validate);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void ShippedTinyConfig_LoadsAndEqualsDefault()
    {
        string path = Path.Combine(FindRepoRoot(), "configs", "tiny", "text_encoder", "config.json");
        var c = System.Text.Json.JsonSerializer.Deserialize<WordTextEncoderConfig>(File.ReadAllText(path))!;
        c.Validate();
        Assert.Equal(WordTextEncoderConfig.Default.MaxLength, c.MaxLength);
        Assert.Equal(WordTextEncoderConfig.Default.EmbeddingDim, c.EmbeddingDim);
        Assert.Equal(WordTokenizer.DefaultVocabulary, c.EffectiveVocabulary);
    }

    internal static string FindRepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "LaMo.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("LaMo.slnx not found above the test binaries");
    }
}
