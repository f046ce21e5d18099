using Azure;
using Eppo.Core;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.Storage;

namespace Eppo.Cluster.Tests;

/// <summary>What the retries retry: storage and silos that are briefly away; never user errors or lost write races.</summary>
public sealed class TransientFailuresTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(408, true)]
    [InlineData(503, true)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(412, false)]
    public void Storage_status_codes(int status, bool transient) =>
        Assert.Equal(transient, TransientFailures.IsTransient(new RequestFailedException(status, "x")));

    [Fact]
    public void Sdk_retry_exhaustion_of_connection_failures_is_transient() =>
        Assert.True(TransientFailures.IsTransient(new AggregateException(new RequestFailedException(0, "refused"), new RequestFailedException(0, "refused"))));

    [Fact]
    public void Dead_silo_and_timeouts_are_transient()
    {
        Assert.True(TransientFailures.IsTransient(new SiloUnavailableException()));
        Assert.True(TransientFailures.IsTransient(new TimeoutException()));
        Assert.True(TransientFailures.IsTransient(new OrleansException("wrapped", new RequestFailedException(503, "busy"))));
    }

    [Fact]
    public void User_errors_and_write_conflicts_are_not()
    {
        Assert.False(TransientFailures.IsTransient(new EppoException("bad spec")));
        Assert.False(TransientFailures.IsTransient(new EppoRequestException("bad spec")));
        Assert.False(TransientFailures.IsTransient(new InconsistentStateException("etag")));
        Assert.False(TransientFailures.IsTransient(new InvalidOperationException("learner not initialised")));
        Assert.True(TransientFailures.IsUserError(new AggregateException(new EppoException("corrupt checkpoint"))));
    }
}
