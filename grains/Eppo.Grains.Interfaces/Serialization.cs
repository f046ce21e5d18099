using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

// The messages in Eppo.Contracts.Messages carry Orleans' attributes; their codecs are generated here.
[assembly: GenerateCodeForDeclaringAssembly(typeof(Eppo.Contracts.Messages.LearnerBatch))]

namespace Eppo.Grains.Interfaces;

public static class Serialization
{
    /// <summary>The contracts (spec, status, metrics) carry no Orleans attributes: serialize them as JSON. Silo and client both call this.</summary>
    public static IServiceCollection AddEppoSerialization(this IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddJsonSerializer(
            isSupported: type => type.Namespace == typeof(RunSpec).Namespace,
            jsonSerializerOptions: RunSpec.Json));
}
