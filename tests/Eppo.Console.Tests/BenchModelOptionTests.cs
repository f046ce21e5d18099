namespace Eppo.Console.Tests;

/// <summary>`bench model`'s options refused before any work: one line naming the option.</summary>
public sealed class BenchModelOptionTests
{
    [Fact]
    public async Task ALoraRankOutOfRangeIsRefused()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("bench", "model", "--shape", "tiny-gpt2", "--lora", "0"), CliAssert.UserError, "--lora", "1..4096");
        CliAssert.OneLineError(await EppoCli.RunAsync("bench", "model", "--shape", "tiny-gpt2", "--lora", "5000"), CliAssert.UserError, "--lora");
    }

    /// <summary>The 7–8B shapes exist to plan; building or training one here (30 GB and more) is refused, not attempted.</summary>
    [Theory]
    [InlineData("bench", "model", "--shape", "llama3-8b")]
    [InlineData("model", "create", "--shape", "mistral-7b", "--out", "/tmp/never-written")]
    public async Task APlanningShapeIsNotBuilt(params string[] args)
    {
        CliAssert.OneLineError(await EppoCli.RunAsync(args), CliAssert.UserError, "--shape", "tiny-gpt2");
        Assert.False(Directory.Exists("/tmp/never-written"));
    }
}
