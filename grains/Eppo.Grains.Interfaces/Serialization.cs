using Eppo.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Eppo.Grains.Interfaces;

public static class Serialization
{
    /// <summary>The contracts (spec, status, metrics) carry no Orleans attributes: serialize them as JSON. Silo and client both call this.</summary>
    public static IServiceCollection AddEppoSerialization(this IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddJsonSerializer(
            isSupported: type => type.Namespace == typeof(RunSpec).Namespace,
            jsonSerializerOptions: RunSpec.Json));
}
