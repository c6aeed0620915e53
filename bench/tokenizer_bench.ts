/**
 * Tokenizer throughput: `Tokenizer.encode()` of ~5 MB of generated math text with a cold cache
 * (a fresh tokenizer per iteration), in MB/s. Run with `deno bench -A bench/tokenizer_bench.ts`.
 */
import { generateMathDocuments } from "../lib/data/corpus_math.ts";
import { Tokenizer } from "../lib/data/tokenizer.ts";

const text = generateMathDocuments(30000, 5).map((d) => d.text).join("\n\n");
const trained = Tokenizer.train(generateMathDocuments(400, 1).map((d) => d.text), {
  vocabSize: 512,
});
const json = trained.toJSON();
const mb = new TextEncoder().encode(text).length / 1e6;

Deno.bench(`Tokenizer.encode() ${mb.toFixed(1)} MB, cold cache`, { n: 3, warmup: 0 }, () => {
  Tokenizer.fromJSON(json).encode(text);
});
