using System.Net;
using System.Text;
using System.Text.Json;

namespace Eppo.Tests;

/// <summary>
/// A small HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol (POST /v1/chat/completions →
/// {"choices": [{"message": {"content": …}}]}, errors as {"error": {"message": …}}), answering with
/// <see cref="Answer"/>: (request body, 1-based request number) → (HTTP status, content). It records every request.
/// </summary>
public sealed class FakeChatCompletions : IDisposable
{
    readonly HttpListener listener = new();
    readonly List<(string Authorization, JsonElement Body)> requests = [];

    public FakeChatCompletions()
    {
        var port = LoopbackPorts.Free();
        BaseUrl = $"http://127.0.0.1:{port}/v1";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/v1/");
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    public Func<JsonElement, int, (int Status, string Content)> Answer { get; set; } = (_, _) => (200, "[[C]]");

    public IReadOnlyList<(string Authorization, JsonElement Body)> Requests
    {
        get { lock (requests) return requests.ToArray(); }
    }

    public void Clear()
    {
        lock (requests) requests.Clear();
    }

    /// <summary>The user message of a request: the judge's question.</summary>
    public static string UserMessage(JsonElement body) => body.GetProperty("messages")[1].GetProperty("content").GetString()!;

    /// <summary>A fair judge: the response containing <paramref name="better"/> wins; with neither or both, a tie.</summary>
    public static (int, string) Prefers(JsonElement body, string better)
    {
        var user = UserMessage(body);
        var a = user[user.IndexOf("[Response A]", StringComparison.Ordinal)..user.IndexOf("[Response B]", StringComparison.Ordinal)];
        var b = user[user.IndexOf("[Response B]", StringComparison.Ordinal)..];
        return (200, "Reasoning.\n" + (a.Contains(better) == b.Contains(better) ? "[[C]]" : a.Contains(better) ? "[[A]]" : "[[B]]"));
    }

    async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            int number;
            lock (requests)
            {
                requests.Add((context.Request.Headers["Authorization"] ?? "", body));
                number = requests.Count;
            }
            var (status, content) = context.Request.Url!.AbsolutePath == "/v1/chat/completions" ? Answer(body, number) : (404, "not found");
            var json = status == 200
                ? JsonSerializer.Serialize(new { id = "x", choices = new[] { new { index = 0, message = new { role = "assistant", content } } } })
                : JsonSerializer.Serialize(new { error = new { message = content } });
            var bytes = Encoding.UTF8.GetBytes(json);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose() => listener.Close();
}
