namespace Eppo.Console.Tests;

/// <summary>
/// The text-tiny examples' first step (`eppo model create --shape tiny-gpt2`), done once for the class: the runs then
/// share one policy path, so the silo prepares its SFT and reward models once (adapters do not change the SFT key).
/// </summary>
public sealed class TextTinyPolicy : IAsyncLifetime
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-text-tiny-policy-").FullName;

    public string Path => System.IO.Path.Combine(dir, "policy");

    public async Task InitializeAsync() =>
        CliAssert.Succeeded(await EppoCli.RunAsync("model", "create", "--shape", "tiny-gpt2", "--out", Path));

    public Task DisposeAsync()
    {
        Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }
}
