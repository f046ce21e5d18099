using Eppo.Cli.Commands;
using Eppo.Contracts;
using Spectre.Console.Cli;

namespace Eppo.Cli;

/// <summary>The `eppo` command tree. Program.cs runs it; tests build the same app.</summary>
public static class EppoApp
{
    const string ExampleRun = "quick-20261127-120000-ab12";

    public static CommandApp Create(IReadOnlyList<string>? args = null)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("eppo");
            // Unknown flags are errors (not silently ignored), and every error goes through ErrorReport: one line, an exit code.
            config.Settings.StrictParsing = true;
            config.Settings.MaximumIndirectExamples = 12;
            config.SetExceptionHandler((exception, _) => ErrorReport.Handle(exception, UsageHint.For(args ?? [])));

            config.AddCommand<DemoCommand>("demo")
                // The method list comes from the method table, like validation's.
                .WithDescription("Train SFT → reward model → PPO / EPPO on HackBench in one process and write a report. " +
                                 $"Methods: {string.Join(", ", TrainingMethods.Names)}")
                .WithExample("demo", "--quick").WithExample("demo", "--seeds", "3", "--out", "runs/demo");
            config.AddCommand<SiloCommand>("silo")
                .WithDescription("Host a silo (local cluster by default); stays up until Ctrl+C")
                .WithExample("silo").WithExample("silo", "--silo-port", "11112", "--gateway-port", "30001", "--metrics-url", "none")
                .WithExample("silo", "--tls-cert", "cluster.pfx");
            config.AddBranch("run", run =>
            {
                run.SetDescription("Start, pause, resume, stop, list, watch and read the history of training runs on a cluster");
                run.AddCommand<RunStartCommand>("start").WithDescription("Start a run from a spec file; prints its id")
                    .WithExample("run", "start", "--config", "deploy/examples/quick.json", "--watch")
                    .WithExample("run", "start", "--config", "deploy/examples/tiny.json", "--name", "smoke");
                run.AddCommand<RunPauseCommand>("pause").WithDescription("Finish the iteration in flight, checkpoint, pause")
                    .WithExample("run", "pause", ExampleRun);
                run.AddCommand<RunResumeCommand>("resume").WithDescription("Resume a paused run from its checkpoint")
                    .WithExample("run", "resume", ExampleRun);
                run.AddCommand<RunStopCommand>("stop").WithDescription("Stop a run with a final checkpoint")
                    .WithExample("run", "stop", ExampleRun);
                run.AddCommand<RunStatusCommand>("status").WithDescription("Show a run's state and latest metrics")
                    .WithExample("run", "status", ExampleRun, "--json");
                run.AddCommand<RunHistoryCommand>("history").WithDescription("Every iteration's metrics (status shows the latest ones)")
                    .WithExample("run", "history", ExampleRun, "--json").WithExample("run", "history", ExampleRun, "--from", "100");
                run.AddCommand<RunListCommand>("list").WithDescription("List the cluster's runs")
                    .WithExample("run", "list").WithExample("run", "list", "--json", "--gateway-port", "30001");
                run.AddCommand<RunWatchCommand>("watch").WithDescription("Follow a run live: progress, rewards, KL, energy loss, alarm")
                    .WithExample("run", "watch", ExampleRun);
            });
            config.AddCommand<TuneCommand>("tune").WithDescription("Tune PPO, PPO w/ KL, PPO w/ LP and EPPO on dev seeds 1–3 (4 configurations each), report the picks on held-out seeds 4–6, score the energy alarm")
                .WithExample("tune", "--quick", "--out", "runs/tune");
            config.AddCommand<StudyCommand>("study").WithDescription("The paper's tables on a text spec: each method trained per seed, judged against SFT and EPPO on held-out prompts")
                .WithExample("study", "--config", "deploy/examples/text-tiny.json", "--methods", "ppo,eppo", "--out", "runs/study");
            config.AddCommand<EvalCommand>("eval").WithDescription("Win / tie / lose of a text run's policy against its SFT baseline on held-out prompts (judge reward model or chat judge)")
                .WithExample("eval", "--config", "deploy/examples/text-tiny.json", "--policy", "runs/RUN/checkpoints/iter-000004", "--baseline", "runs/models/KEY/sft");
            config.AddBranch("model", model =>
            {
                model.SetDescription("Hugging Face checkpoints: GPT-2, Llama, Mistral and Qwen2 in safetensors, with their tokenizers (docs/models.md)");
                model.AddCommand<ModelInspectCommand>("inspect").WithDescription("Architecture, sizes, parameter count, stored dtypes, tokenizer files")
                    .WithExample("model", "inspect", "path/to/checkpoint").WithExample("model", "inspect", "path/to/checkpoint", "--json");
                model.AddCommand<ModelLogitsCommand>("logits").WithDescription("Logits for token ids, and the final layer's energy loss per token at every probe site")
                    .WithExample("model", "logits", "path/to/checkpoint", "--tokens", "1,2,3", "--json");
                model.AddCommand<ModelGenerateCommand>("generate").WithDescription("Text from a checkpoint through its tokenizer and chat template (KV cache; greedy or seeded sampling)")
                    .WithExample("model", "generate", "path/to/checkpoint", "--prompt", "What is the capital of France?", "--greedy")
                    .WithExample("model", "generate", "path/to/checkpoint", "--tokens", "1,5,9", "--max-new-tokens", "8", "--json");
                model.AddCommand<ModelCreateCommand>("create").WithDescription("A random checkpoint of a known shape (tiny-gpt2, gpt2, smollm-135m); GPT-2 shapes with GPT-2's tokenizer")
                    .WithExample("model", "create", "--shape", "tiny-gpt2", "--out", "runs/text-tiny/policy");
                model.AddCommand<ModelExportCommand>("export").WithDescription("A trained policy or reward model in Hugging Face layout")
                    .WithExample("model", "export", "runs/demo/data/RUN/checkpoints/iter-000300", "--out", "exported/policy");
            });
            config.AddCommand<PlanCommand>("plan").WithDescription("Memory per grain (weights, gradients, Adam, activations, KV cache), bytes on the wire per iteration and whether it fits on N devices, for a run spec and a model")
                .WithExample("plan", "deploy/examples/plan/llama3-8b-lora.json", "--shape", "llama3-8b", "--device-memory", "141GiB", "--devices", "8")
                .WithExample("plan", "run.json", "--model", "path/to/checkpoint", "--json");
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Benchmarks; results go to docs/benchmarks.md");
                bench.AddCommand<BenchCoreCommand>("core").WithDescription("Model, generation, probe and PPO-step speed")
                    .WithExample("bench", "core", "--json");
                bench.AddCommand<BenchModelCommand>("model").WithDescription("A real-size model (GPT-2 124M, SmolLM-135M) against PyTorch eager: load, generation, PPO step, weight sync; --lora R: LoRA against full fine-tuning (peak memory against the plan, policy bytes, PPO step)")
                    .WithExample("bench", "model", "--shape", "gpt2").WithExample("bench", "model", "--shape", "smollm-135m", "--json")
                    .WithExample("bench", "model", "--shape", "smollm-135m", "--lora", "16", "--json");
                // A child process of `bench model --lora`: one learner alone, so its peak memory is the learner's.
                bench.AddCommand<BenchLearnerStepCommand>("learner-step").IsHidden();
                bench.AddCommand<BenchScaleCommand>("scale").WithDescription("Two learner replicas against one (SmolLM-135M shape, LoRA r 16) and overlapped generation against sequential, on silo processes of one libtorch thread each")
                    .WithExample("bench", "scale", "--json");
                bench.AddCommand<BenchPipelineCommand>("pipeline").WithDescription("Orleans overhead and EPPO's cost over PPO")
                    .WithExample("bench", "pipeline", "--json");
                bench.AddCommand<BenchLoadCommand>("load").WithDescription("Many runs at once: all complete, status latency, memory after")
                    .WithExample("bench", "load", "--runs", "20", "--json").WithExample("bench", "load", "--silos", "2");
                bench.AddCommand<BenchSoakCommand>("soak").WithDescription("One long run: resident memory and the run record's size")
                    .WithExample("bench", "soak", "--iterations", "1000", "--json");
            });
        });
        return app;
    }
}
