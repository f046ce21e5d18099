namespace Eppo.Core.Text;

/// <summary>The conversation layouts EppoOrleans renders itself (see <see cref="ChatTemplate"/>).</summary>
public enum ChatFormat
{
    /// <summary>The turns' text joined by blank lines, nothing added: for base models.</summary>
    Plain,
    /// <summary>Anthropic HH's transcript layout: "\n\nHuman: …\n\nAssistant: …".</summary>
    Hh,
    /// <summary>Vicuna v1.1 (FastChat), the layout of the official EPPO code's models: "SYSTEM USER: … ASSISTANT: …&lt;/s&gt;".</summary>
    Vicuna,
    /// <summary>Llama 3 Instruct: &lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n…&lt;|eot_id|&gt;.</summary>
    Llama3,
    /// <summary>ChatML (Qwen2 and others): &lt;|im_start|&gt;role\n…&lt;|im_end|&gt;\n.</summary>
    ChatMl,
}
