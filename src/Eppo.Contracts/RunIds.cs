namespace Eppo.Contracts;

public static class RunIds
{
    public static string New(string name) => $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";

    /// <summary>Refuses ids that could not have come from `run start` (spaces, slashes, control characters …).</summary>
    public static string Validate(string id) =>
        id.Length is > 0 and <= 120 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? id
            : throw new EppoException($"run id '{Printable(id)}': use 1–120 letters, digits, '.', '_' or '-'");

    static string Printable(string s) => new(s.Take(60).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
