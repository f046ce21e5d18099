using Eppo.Contracts;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests;

/// <summary>Clients see only the contracts and the grain interfaces: neither pulls in libtorch or Core.</summary>
public sealed class ProjectLinesTests
{
    static string[] References(Type inAssembly) => inAssembly.Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

    [Fact]
    public void GrainInterfacesReferenceTheContractsOnly()
    {
        var references = References(typeof(IRunGrain));
        Assert.Contains("Eppo.Contracts", references);
        Assert.DoesNotContain(references, r => r.StartsWith("TorchSharp", StringComparison.Ordinal) || r == "Eppo.Core");
    }

    [Fact]
    public void ContractsReferenceNoneOfOursAndOfOrleansOnlyItsSerializationAttributes()
    {
        // The messages in Contracts/Messages carry [GenerateSerializer] from Orleans' abstractions; nothing else of Orleans.
        var references = References(typeof(RunSpec));
        Assert.DoesNotContain(references, r => r.StartsWith("TorchSharp", StringComparison.Ordinal) || r.StartsWith("Eppo.", StringComparison.Ordinal) ||
                                               (r.StartsWith("Orleans", StringComparison.Ordinal) && r != "Orleans.Serialization.Abstractions"));
    }
}
