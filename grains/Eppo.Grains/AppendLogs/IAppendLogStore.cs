namespace Eppo.Grains.AppendLogs;

/// <summary>Where a profile keeps its append logs; a log is named like a file path, "{run}/history.jsonl".</summary>
public interface IAppendLogStore
{
    IAppendLog Open(string name);
}
