namespace Eppo.Cli;

/// <summary>Points a parse error at the help of the command the user was typing: "see `eppo run start --help`".</summary>
public static class UsageHint
{
    static readonly Dictionary<string, string[]> Branches = new()
    {
        ["run"] = ["start", "pause", "resume", "stop", "status", "list", "watch"],
        ["bench"] = ["core", "pipeline"],
    };
    static readonly string[] Leaves = ["demo", "silo"];

    public static string For(IReadOnlyList<string> args)
    {
        var path = new List<string>();
        if (args.Count > 0 && (Leaves.Contains(args[0]) || Branches.ContainsKey(args[0])))
        {
            path.Add(args[0]);
            if (Branches.TryGetValue(args[0], out var commands) && args.Count > 1 && commands.Contains(args[1])) path.Add(args[1]);
        }
        return $"see `eppo {string.Join(' ', path.Append("--help"))}`";
    }
}
