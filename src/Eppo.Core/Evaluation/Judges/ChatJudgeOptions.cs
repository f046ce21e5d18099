
namespace Eppo.Core.Evaluation.Judges;

/// <summary>
/// Where an OpenAI-compatible chat-completions judge lives: base URL (…/v1), model, API key. Each comes from the
/// command line or the environment (EPPO_JUDGE_BASE_URL, EPPO_JUDGE_MODEL, EPPO_JUDGE_API_KEY); the key is never
/// printed or logged. Attempts and the total wall time bound the retries of transient failures.
/// </summary>
public sealed record ChatJudgeOptions(Uri BaseUrl, string Model, string? ApiKey, int MaxAttempts = 5, TimeSpan? RequestTimeout = null, TimeSpan? RetryBudget = null)
{
    public const string BaseUrlVariable = "EPPO_JUDGE_BASE_URL", ModelVariable = "EPPO_JUDGE_MODEL", ApiKeyVariable = "EPPO_JUDGE_API_KEY";

    public TimeSpan Timeout => RequestTimeout ?? TimeSpan.FromSeconds(60);
    public TimeSpan Budget => RetryBudget ?? TimeSpan.FromMinutes(5);

    public static ChatJudgeOptions Resolve(string? baseUrl, string? model, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var url = baseUrl ?? environment(BaseUrlVariable)
                  ?? throw new EppoException($"chat judge: no base URL (--judge-url or {BaseUrlVariable}, e.g. https://api.openai.com/v1)");
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new EppoException($"chat judge: '{url}' is not an http(s) URL");
        var name = model ?? environment(ModelVariable) ?? throw new EppoException($"chat judge: no model (--judge-model or {ModelVariable})");
        return new ChatJudgeOptions(uri, name, environment(ApiKeyVariable));
    }
}
