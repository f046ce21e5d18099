using Eppo.Core.Model;
using Spectre.Console;

namespace Eppo.Cli.Commands;

/// <summary>The `--shape` of the commands that build a model here (create, bench): one of the small named shapes.</summary>
public static class ShapeOption
{
    public static ValidationResult Check(string shape) => ModelShapes.Small.Contains(shape)
        ? ValidationResult.Success()
        : ValidationResult.Error($"--shape: '{shape}' is not one of {string.Join(", ", ModelShapes.Small)} (the 7–8B shapes are for `eppo plan`)");
}
