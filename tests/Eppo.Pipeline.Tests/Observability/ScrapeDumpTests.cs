using Xunit;
namespace Eppo.Pipeline.Tests.Observability;
[Collection(MetricsSiloCollection.Name)]
public class ScrapeDumpTests(MetricsSiloFixture silo)
{
    [Fact]
    public async Task Dump()
    {
        File.WriteAllText("/tmp/obs-scrape-om.txt", await silo.ScrapeAsync(true));
        File.WriteAllText("/tmp/obs-scrape-text.txt", await silo.ScrapeAsync(false));
    }
}
