// Reference encodings for make_tokenizers.py: Hugging Face's JS tokenizers and Jinja engine. Reads a job on stdin.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";

const job = JSON.parse(readFileSync(0, "utf-8"));
const result = {};
for (const name of job.names) {
  const json = JSON.parse(readFileSync(join(job.dir, name, "tokenizer.json"), "utf-8"));
  const config = JSON.parse(readFileSync(join(job.dir, name, "tokenizer_config.json"), "utf-8"));
  const tokenizer = new Tokenizer(json, config);
  const encodings = job.samples.map((text) => {
    const ids = tokenizer.encode(text).ids;
    return { text, ids, decoded: ids.length ? tokenizer.decode(ids, { skip_special_tokens: true }) : "" };
  });
  const chats = config.chat_template
    ? job.conversations.map((messages) => ({ messages,
        text: new Template(config.chat_template).render({ messages, add_generation_prompt: true,
          bos_token: config.bos_token ?? "", eos_token: config.eos_token ?? "" }) }))
    : [];
  result[name] = { vocab_size: Object.keys(json.model.vocab).length + json.added_tokens.length, encodings, chats };
}
result.vicuna = job.conversations.map((messages) => ({ messages,
  text: new Template(job.vicuna).render({ messages, add_generation_prompt: true, bos_token: "<s>", eos_token: "</s>" }) }));
console.log(JSON.stringify(result));
