using Azure;
using Eppo.Core;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.Storage;

namespace Eppo.Pipeline.Tests.Grains;

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
        Assert.False(TransientFailures.IsRetryableIteration(new AggregateException(new EppoException("corrupt checkpoint"))));
    }

    public static TheoryData<string, Exception> Deterministic => new()
    {
        { "user error", new EppoException("bad spec") },
        { "user error across the wire", new EppoRequestException("bad spec") },
        { "overflow", new OverflowException("value cannot be converted to type float without overflow") },
        { "NaN from a model", new EppoException("reward: score 3 is NaN") },
        { "libtorch shape error", new System.Runtime.InteropServices.ExternalException("shape '[2, 3]' is invalid for input of size 7") },
        { "index out of range", new IndexOutOfRangeException() },
        { "bad argument", new ArgumentException("bad") },
        { "missing file", new FileNotFoundException("no model.safetensors", "model.safetensors") },
        { "missing directory", new DirectoryNotFoundException("no checkpoint") },
        { "missing file in an aggregate", new AggregateException(new FileNotFoundException("x")) },
        { "a bug", new NullReferenceException() },
        { "lost write race", new InconsistentStateException("etag") },
    };

    [Theory, MemberData(nameof(Deterministic))]
    public void Deterministic_failures_fail_the_run_at_once(string what, Exception e)
    {
        Assert.False(TransientFailures.IsRetryableIteration(e), what);
        Assert.False(TransientFailures.IsTransient(e), what);
    }

    public static TheoryData<string, Exception> Transient => new()
    {
        { "dead silo", new SiloUnavailableException() },
        { "timeout", new TimeoutException() },
        { "storage away", new RequestFailedException(503, "busy") },
        { "network", new IOException("connection reset") },
        { "runtime forwarding", new OrleansException("Forwarding failed") },
        { "a stage lost its state", new StageStateLostException("learner not initialised") },
        { "wrapped", new AggregateException(new TimeoutException(), new SiloUnavailableException()) },
    };

    [Theory, MemberData(nameof(Transient))]
    public void Transient_failures_replay_the_iteration(string what, Exception e) => Assert.True(TransientFailures.IsRetryableIteration(e), what);

    [Fact]
    public void A_stage_that_lost_its_state_is_not_retried_call_by_call() =>
        Assert.False(TransientFailures.IsTransient(new StageStateLostException("learner not initialised")));
}
