using LaMo.Core;
using LaMo.Models.Text;
using Xunit;
using static TorchSharp.torch;

namespace LaMo.Tests.Models.Text;

[Collection("Torch")]
public class T5TextEncoderTests
{
    // What a real HF T5 v1.1 XXL config.json contains (CogVideoX text_encoder/config.json), made tiny.
    private const string HfStyleConfig = """
    {
      "_name_or_path": "google/t5-v1_1-xxl", "architectures": ["T5EncoderModel"], "classifier_dropout": 0.0,
      "d_ff": 24, "d_kv": 4, "d_model": 16, "decoder_start_token_id": 0, "dense_act_fn": "gelu_new",
      "dropout_rate": 0.1, "eos_token_id": 1, "feed_forward_proj": "gated-gelu", "initializer_factor": 1.0,
      "is_encoder_decoder": true, "is_gated_act": true, "layer_norm_epsilon": 1e-06, "model_type": "t5",
      "num_decoder_layers": 2, "num_heads": 4, "num_layers": 2, "output_past": true, "pad_token_id": 0,
      "relative_attention_max_distance": 128, "relative_attention_num_buckets": 32, "tie_word_embeddings": false,
      "torch_dtype": "float32", "transformers_version": "4.41.2", "use_cache": true, "vocab_size": 64
    }
    """;

    private static T5TextEncoder TinyEncoder(int maxLength = 12)
    {
        manual_seed(3);
        return new T5TextEncoder(T5Tokenizer.FromBytes(TinySentencePieceModel.Build(), maxLength), new T5EncoderModel(T5Config.Tiny));
    }

    private static void WriteHfFolder(TempDir dir, T5EncoderModel model, bool includeTiedKey, long maxShardBytes)
    {
        Directory.CreateDirectory(dir.Sub("text_encoder"));
        Directory.CreateDirectory(dir.Sub("tokenizer"));
        File.WriteAllText(dir.Sub("text_encoder", "config.json"), HfStyleConfig);
        File.WriteAllBytes(dir.Sub("tokenizer", "spiece.model"), TinySentencePieceModel.Build());
        var sd = includeTiedKey ? model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value) : model.SaveStateDict();
        if (includeTiedKey) sd[T5EncoderModel.TiedKey] = sd["shared.weight"];
        SafetensorsWriter.SaveSharded(dir.Sub("text_encoder"), "model", sd, maxShardBytes);
    }

    [Fact]
    public void Encode_ShapesAndMask()
    {
        using var enc = TinyEncoder();
        using var e = enc.Encode(["the red ball rolls", "the blue ball"]);
        Assert.Equal([2L, 12, 16], e.Embeddings.shape);
        Assert.Equal([2L, 12], e.Mask.shape);
        Assert.Equal(5, e.Mask[0].sum().item<long>());     // 4 pieces + EOS
        Assert.Equal(4, e.Mask[1].sum().item<long>());
        Assert.Equal(12, enc.MaxSequenceLength);
        Assert.Equal(16, enc.EmbeddingDim);
    }

    [Fact]
    public void Encode_Deterministic()
    {
        using var enc = TinyEncoder();
        using var a = enc.Encode(["the red ball"]);
        using var b = enc.Encode(["the red ball"]);
        Assert.True(a.Embeddings.equal(b.Embeddings).all().item<bool>());
        Assert.False(a.Embeddings.requires_grad);
    }

    [Theory]
    [InlineData(false, 1L << 30)]   // one file
    [InlineData(true, 3000)]        // sharded with an index, HF's tied key present
    [InlineData(false, 3000)]
    public void FromPretrained_HfLayout_RoundTripsExactly(bool includeTiedKey, long maxShardBytes)
    {
        using var dir = new TempDir();
        using var enc = TinyEncoder(maxLength: T5Tokenizer.DefaultMaxLength);
        WriteHfFolder(dir, enc.Model, includeTiedKey, maxShardBytes);
        if (maxShardBytes < 100_000) Assert.True(File.Exists(dir.Sub("text_encoder", "model.safetensors.index.json")));
        using var loaded = T5TextEncoder.FromPretrained(dir.Path);
        using var a = enc.Encode(["the red ball rolls"]);
        using var b = loaded.Encode(["the red ball rolls"]);
        Assert.True(a.Embeddings.equal(b.Embeddings).all().item<bool>());
        Assert.True(a.Mask.equal(b.Mask).all().item<bool>());
    }

    [Fact]
    public void SaveTextEncoder_ThenLoaderRoundTrip()
    {
        using var dir = new TempDir();
        using var enc = TinyEncoder(maxLength: T5Tokenizer.DefaultMaxLength);
        enc.SaveTextEncoder(dir.Path);
        Directory.CreateDirectory(dir.Sub("tokenizer"));
        File.WriteAllBytes(dir.Sub("tokenizer", "spiece.model"), TinySentencePieceModel.Build());
        using var loaded = TextEncoderLoader.FromPretrained(dir.Path);
        Assert.IsType<T5TextEncoder>(loaded);
        using var a = enc.Encode(["the blue ball"]);
        using var b = loaded.Encode(["the blue ball"]);
        Assert.True(a.Embeddings.equal(b.Embeddings).all().item<bool>());
    }

    [Fact]
    public void FromPretrained_MissingWeight_ThrowsNamingKey()
    {
        using var dir = new TempDir();
        using var enc = TinyEncoder();
        WriteHfFolder(dir, enc.Model, false, 1L << 30);
        var sd = enc.Model.SaveStateDict();
        sd.Remove("encoder.final_layer_norm.weight");
        SafetensorsWriter.Save(dir.Sub("text_encoder", "model.safetensors"), sd);
        var e = Assert.Throws<InvalidDataException>(() => T5TextEncoder.FromPretrained(dir.Path));
        Assert.Contains("encoder.final_layer_norm.weight", e.Message);
    }

    [Fact]
    public void Config_UnknownKey_ThrowsNamingIt()
    {
        using var dir = new TempDir();
        using var enc = TinyEncoder();
        WriteHfFolder(dir, enc.Model, false, 1L << 30);
        File.WriteAllText(dir.Sub("text_encoder", "config.json"), HfStyleConfig.Replace("\"vocab_size\"", "\"rope_theta\": 1, \"vocab_size\""));
        var e = Assert.Throws<InvalidDataException>(() => T5TextEncoder.FromPretrained(dir.Path));
        Assert.Contains("rope_theta", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Theory]
    [InlineData("feed_forward_proj", "relu")]
    [InlineData("dense_act_fn", "relu")]
    [InlineData("num_heads", "0")]
    [InlineData("relative_attention_num_buckets", "7")]
    [InlineData("layer_norm_epsilon", "0")]
    [InlineData("model_type", "mt")]
    public void Config_BadField_ValidateNamesIt(string key, string value)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(HfStyleConfig)!.AsObject();
        json[key] = System.Text.Json.Nodes.JsonNode.Parse(value.All(char.IsLetter) ? $"\"{value}\"" : value);
        var config = System.Text.Json.JsonSerializer.Deserialize<T5Config>(json.ToJsonString())!;
        var e = Assert.Throws<InvalidDataException>(config.Validate);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Config_HfStyle_ParsesAndValidates()
    {
        var config = System.Text.Json.JsonSerializer.Deserialize<T5Config>(HfStyleConfig)!;
        config.Validate();
        Assert.Equal(T5Config.Tiny with { Extra = config.Extra, ModelType = "t5" }, config);
        Assert.False(config.PerLayerPositionBias);
    }
}
