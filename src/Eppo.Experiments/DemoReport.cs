namespace Eppo.Experiments;

/// <summary>
/// The demo's report: builds the numbers from <see cref="DemoInputs"/> and writes report.json, report.md and the PNG
/// figures into one folder. The console rendering is <see cref="WinTieLoseConsole"/>.
/// </summary>
public static class DemoReport
{
    public const string JsonFile = "report.json";
    public const string MarkdownFile = "report.md";

    public static ReportDocument Build(DemoInputs inputs) => ReportBuilder.Build(inputs);

    /// <summary>Builds the report and writes it into <paramref name="outDir"/> (created if missing).</summary>
    public static ReportDocument Write(DemoInputs inputs, string outDir)
    {
        var document = Build(inputs);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, JsonFile), ReportJson.Serialize(document));
        File.WriteAllText(Path.Combine(outDir, MarkdownFile), ReportMarkdown.Write(document));
        ReportPlots.Write(document, outDir);
        return document;
    }
}
