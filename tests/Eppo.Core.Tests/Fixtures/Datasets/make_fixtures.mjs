// Writes the .parquet fixtures from the .jsonl files beside them with DuckDB, a Parquet writer independent of the
// Parquet.Net the loaders read with, in the column layouts the Hugging Face hub publishes (datasets' features):
// Anthropic/hh-rlhf (chosen, rejected: string), tatsu-lab/alpaca_farm preferences (preference: int64), and
// openai/summarize_from_feedback comparisons (info: struct, summaries: list of struct, choice: int32, extra: struct).
// hh.jsonl.gz is `gzip -9 -n -k hh.jsonl`. To run it (from this folder):
//   npm install --prefix /tmp/duckdb @duckdb/node-api@1.5.6-r.1 && cp make_fixtures.mjs /tmp/duckdb/ && node /tmp/duckdb/make_fixtures.mjs "$PWD"
import { DuckDBInstance } from '@duckdb/node-api';

const here = process.argv[2] ?? '.';
const layouts = {
  hh: `{chosen: 'VARCHAR', rejected: 'VARCHAR'}`,
  alpacafarm: `{instruction: 'VARCHAR', input: 'VARCHAR', output_1: 'VARCHAR', output_2: 'VARCHAR', preference: 'BIGINT'}`,
  tldr: `{info: 'STRUCT(id VARCHAR, post VARCHAR, title VARCHAR, subreddit VARCHAR, site VARCHAR, article VARCHAR)',
          summaries: 'STRUCT(text VARCHAR, policy VARCHAR, note VARCHAR)[]', choice: 'INTEGER',
          worker: 'VARCHAR', batch: 'VARCHAR', split: 'VARCHAR', extra: 'STRUCT(confidence INTEGER)'}`,
};
const connection = await (await DuckDBInstance.create(':memory:')).connect();
for (const [name, columns] of Object.entries(layouts)) {
  await connection.run(`COPY (SELECT * FROM read_json('${here}/${name}.jsonl', format = 'newline_delimited', columns = ${columns}))
                        TO '${here}/${name}.parquet' (FORMAT parquet, COMPRESSION snappy)`);
  console.log(`${name}.parquet`);
}
