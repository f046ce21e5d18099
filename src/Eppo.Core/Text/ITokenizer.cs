namespace Eppo.Core.Text;

/// <summary>Text ↔ token ids. Special ids are part of the vocabulary; Encode adds none of them.</summary>
public interface ITokenizer
{
    int VocabSize { get; }
    int PadId { get; }
    int BosId { get; }
    int EosId { get; }
    int[] Encode(string text);
    string Decode(IEnumerable<int> ids);
}
