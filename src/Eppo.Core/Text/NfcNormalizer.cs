using System.Text;
using Microsoft.ML.Tokenizers;

namespace Eppo.Core.Text;

/// <summary>tokenizer.json's "NFC" normalizer (Qwen2): canonical composition, so "e" + U+0301 encodes as "é".</summary>
public sealed class NfcNormalizer : Normalizer
{
    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
}
