using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Eppo.Core.Evaluation.Judges;

/// <summary>
/// A judge behind an OpenAI-compatible chat-completions endpoint (POST {base}/chat/completions, temperature 0). Each
/// pair is asked in both orders, to cancel position bias: the policy wins when the two answers together prefer it,
/// loses when they prefer the baseline, and ties otherwise (a judge that always picks the first response gives only
/// ties). Transient failures (timeouts, connection errors, 429, 5xx) are retried with jittered backoff within
/// <see cref="ChatJudgeOptions.MaxAttempts"/> and the wall-time budget; any other HTTP error is one line, not
/// retried. An answer without a verdict is asked again within the attempts; if it never comes, the pair is
/// <see cref="JudgeOutcome.NoVerdict"/> (counted apart, never as a tie) and the question counts in
/// <see cref="Unanswered"/>. The API key goes only into the Authorization header.
/// </summary>
public sealed class ChatCompletionsJudge : IPairJudge
{
    readonly HttpClient http;
    readonly ChatJudgeOptions options;
    readonly ResiliencePipeline pipeline;
    int unanswered;

    public ChatCompletionsJudge(ChatJudgeOptions options, TimeSpan? retryDelay = null)
    {
        this.options = options;
        http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        if (options.ApiKey is { Length: > 0 } key) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(options.Budget)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientJudgeException>().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = Math.Max(0, options.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retryDelay ?? TimeSpan.FromSeconds(1),
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    public string Name => $"chat:{options.Model}";

    /// <summary>Questions (one pair is two) that never got a verdict within the attempts.</summary>
    public int Unanswered => unanswered;

    public void Dispose() => http.Dispose();

    public async Task<JudgeOutcome> JudgeAsync(string prompt, string policy, string baseline, CancellationToken cancellation)
    {
        var first = await AskAsync(prompt, policy, baseline, cancellation);
        var second = await AskAsync(prompt, baseline, policy, cancellation);
        if (first is null || second is null) return JudgeOutcome.NoVerdict;
        var preference = (first switch { 'A' => 1, 'B' => -1, _ => 0 }) + (second switch { 'B' => 1, 'A' => -1, _ => 0 });
        return preference > 0 ? JudgeOutcome.Win : preference < 0 ? JudgeOutcome.Lose : JudgeOutcome.Tie;
    }

    async Task<char?> AskAsync(string prompt, string first, string second, CancellationToken cancellation)
    {
        for (var attempt = 0; attempt < options.MaxAttempts; attempt++)
        {
            var answer = await pipeline.ExecuteAsync(async token => await CompleteAsync(prompt, first, second, token), cancellation);
            if (ChatJudgePrompt.Verdict(answer) is { } verdict) return verdict;
        }
        Interlocked.Increment(ref unanswered);
        return null;
    }

    async Task<string> CompleteAsync(string prompt, string first, string second, CancellationToken cancellation)
    {
        var body = new JsonObject
        {
            ["model"] = options.Model,
            ["temperature"] = 0,
            ["max_tokens"] = 512,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = ChatJudgePrompt.System },
                new JsonObject { ["role"] = "user", ["content"] = ChatJudgePrompt.User(prompt, first, second) }),
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("chat/completions", content, cancellation);
        var text = await response.Content.ReadAsStringAsync(cancellation);
        var endpoint = new Uri(options.BaseUrl, "chat/completions");
        if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            throw new TransientJudgeException($"chat judge: HTTP {(int)response.StatusCode} from {endpoint}");
        if (!response.IsSuccessStatusCode)
            throw new EppoException($"chat judge: HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {endpoint}: {ErrorMessage(text)}" +
                                    (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? $" (check {ChatJudgeOptions.ApiKeyVariable})" : ""));
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new EppoException($"chat judge: {endpoint} answered without choices[0].message.content (is it an OpenAI-compatible chat-completions endpoint?)");
        }
    }

    static string ErrorMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message)
                ? message.GetString() ?? ""
                : body.Length > 200 ? body[..200] : body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}

/// <summary>A failure worth retrying: the endpoint is busy or broken for now (429, 5xx).</summary>
public sealed class TransientJudgeException(string message) : Exception(message);
