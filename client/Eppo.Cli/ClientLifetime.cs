using Microsoft.Extensions.Hosting;

namespace Eppo.Cli;

/// <summary>
/// The client host's lifetime does nothing: the default console lifetime would take Ctrl+C for itself (stopping the
/// Orleans client under a running command) instead of leaving it to the command's cancellation token.
/// </summary>
public sealed class ClientLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
