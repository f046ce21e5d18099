using Eppo.Core.Tasks;
using System.Text.Json;
using Eppo.Core;
using Eppo.Contracts;

namespace Eppo.Cli;

/// <summary>Reads a run spec file for `run start`: every problem is one line naming the file and the line or field.</summary>
public static class SpecFile
{
    public static RunSpec Load(string path)
    {
        string text;
        try
        {
            if (Directory.Exists(path)) throw new EppoException($"{path}: is a directory, not a run spec file");
            if (!File.Exists(path)) throw new EppoException($"{path}: run spec file not found");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EppoException($"{path}: cannot read the run spec ({e.Message.TrimEnd('.')})");
        }
        CheckSyntax(path, text);
        return TrainingTasks.Parse(text, path);
    }

    /// <summary>Syntax errors with their line (RunSpec.Parse reports fields, which a syntax error does not have).</summary>
    static void CheckSyntax(string path, string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}" + (e.BytePositionInLine is { } col ? $", column {col + 1}" : "") : "";
            var what = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd('.', ' ');
            throw new EppoException($"{path}:{(where.Length > 0 ? $" {where}:" : "")} not valid JSON ({what})");
        }
    }
}
