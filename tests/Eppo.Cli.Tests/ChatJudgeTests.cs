using System.Text.Json;
using Eppo.Core.Evaluation;
using Eppo.Core.Evaluation.Judges;
using Eppo.Tests;

namespace Eppo.Cli.Tests;

/// <summary>
/// The OpenAI-compatible judge against a small local HTTP server that speaks the chat-completions protocol
/// (nothing here can reach a real one): both orders asked, position bias cancelled, strict verdicts, retries of
/// transient failures only, and the key only in the Authorization header.
/// </summary>
public sealed class ChatJudgeTests : IDisposable
{
    readonly FakeChatCompletions server = new();

    public void Dispose() => server.Dispose();

    ChatCompletionsJudge Judge(int attempts = 3) =>
        new(new ChatJudgeOptions(new Uri(server.BaseUrl + "/"), "judge-1", "sk-test-secret", attempts), retryDelay: TimeSpan.FromMilliseconds(5));

    static string UserMessage(JsonElement body) => FakeChatCompletions.UserMessage(body);

    static (int, string) Fair(JsonElement body, int _) => FakeChatCompletions.Prefers(body, "good");

    [Fact]
    public async Task Both_orders_are_asked_and_a_fair_judge_gives_win_lose_and_tie()
    {
        server.Answer = Fair;
        using var judge = Judge();
        Assert.Equal(JudgeOutcome.Win, await judge.JudgeAsync("Q?", "a good answer", "meh", default));
        Assert.Equal(JudgeOutcome.Lose, await judge.JudgeAsync("Q?", "meh", "a good answer", default));
        Assert.Equal(JudgeOutcome.Tie, await judge.JudgeAsync("Q?", "meh", "also meh", default));
        Assert.Equal(6, server.Requests.Count);
        var (authorization, body) = server.Requests[0];
        Assert.Equal("Bearer sk-test-secret", authorization);
        Assert.Equal(("judge-1", 0.0, "system"), (body.GetProperty("model").GetString(), body.GetProperty("temperature").GetDouble(), body.GetProperty("messages")[0].GetProperty("role").GetString()));
        Assert.Contains("[Response A]\na good answer", UserMessage(server.Requests[0].Body));   // the policy first, then second
        Assert.Contains("[Response B]\na good answer", UserMessage(server.Requests[1].Body));
    }

    [Fact]
    public async Task A_judge_that_always_prefers_the_first_response_gives_only_ties()
    {
        server.Answer = (_, _) => (200, "[[A]]");
        using var judge = Judge();
        Assert.Equal(JudgeOutcome.Tie, await judge.JudgeAsync("Q?", "x", "y", default));
        Assert.Equal(JudgeOutcome.Tie, await judge.JudgeAsync("Q?", "y", "x", default));
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_a_deterministic_one_is_not()
    {
        server.Answer = (body, n) => n <= 2 ? (503, "overloaded") : Fair(body, n);
        using (var judge = Judge(attempts: 4))
            Assert.Equal(JudgeOutcome.Win, await judge.JudgeAsync("Q?", "good", "bad", default));
        Assert.Equal(4, server.Requests.Count);                                           // two 503s, then both orders

        server.Clear();
        server.Answer = (_, _) => (401, "Incorrect API key provided");
        using var refused = Judge(attempts: 4);
        var error = await Assert.ThrowsAsync<EppoException>(() => refused.JudgeAsync("Q?", "good", "bad", default));
        Assert.Single(server.Requests);
        Assert.Contains("HTTP 401", error.Message);
        Assert.Contains("EPPO_JUDGE_API_KEY", error.Message);
        Assert.DoesNotContain("sk-test-secret", error.Message);
    }

    [Fact]
    public async Task An_answer_without_exactly_one_verdict_is_asked_again_then_counted_apart_never_as_a_tie()
    {
        server.Answer = (body, n) => n == 1 ? (200, "I think A, maybe [[A]] or [[B]]") : (200, "no verdict at all");
        using var judge = Judge(attempts: 2);
        Assert.Equal(JudgeOutcome.NoVerdict, await judge.JudgeAsync("Q?", "x", "y", default));
        Assert.Equal(2, judge.Unanswered);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal('B', ChatJudgePrompt.Verdict("Because…\n[[B]]"));
        Assert.Null(ChatJudgePrompt.Verdict("[[B]] first, then\n[[A]]"));
        Assert.Null(ChatJudgePrompt.Verdict("The answer is [[A]] obviously"));
    }

    [Fact]
    public void Options_come_from_flags_or_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["EPPO_JUDGE_BASE_URL"] = "http://127.0.0.1:9/v1", ["EPPO_JUDGE_MODEL"] = "m", ["EPPO_JUDGE_API_KEY"] = "k" };
        var options = ChatJudgeOptions.Resolve(null, null, name => environment.GetValueOrDefault(name));
        Assert.Equal(("http://127.0.0.1:9/v1/", "m", "k"), (options.BaseUrl.ToString(), options.Model, options.ApiKey));
        Assert.Equal("x", ChatJudgeOptions.Resolve("http://h/v1", "x", _ => null).Model);
        Assert.Contains("EPPO_JUDGE_BASE_URL", Assert.Throws<EppoException>(() => ChatJudgeOptions.Resolve(null, "m", _ => null)).Message);
        Assert.Contains("not an http(s) URL", Assert.Throws<EppoException>(() => ChatJudgeOptions.Resolve("ftp://h", "m", _ => null)).Message);
    }
}
