#!/bin/sh
# gpu_check.sh: the WebGPU checks to run on a machine with a real GPU (Linux, Vulkan), in one go,
# ending with one JSON of figures. Run it from the repository root:
#
#   sh bench/gpu_check.sh [out.json]          # or OUT=out.json sh bench/gpu_check.sh
#   QUICK=1 sh bench/gpu_check.sh out.json    # fewer sizes (a software adapter such as lavapipe)
#
# Parts, each under `timeout` (full mode: at most 7.5 minutes in all; seconds per part below):
#   adapter   probeWebGpu(): the adapter's description and whether it is a software one
#   tests     the WebGPU test files (kernels against the CPU backend)                     180
#   matmul    bench/matmul_bench.ts --no-naive: GFLOP/s of the planned kernels            90
#   step      bench/model_bench.ts, the reference training step (4 layers, width 256,     90
#             context 128, vocabulary 512, batch 16) on webgpu: tokens/s
#   rmt       deno task train --backend webgpu --steps 1: one RMT step end to end         90
# QUICK=1 runs four test files, three matmul shapes, and longer limits (lavapipe is slow).
# A part that fails or times out is recorded with its exit status and the tail of its log; the
# script goes on and still writes the JSON. Logs stay in $WORK (printed at the end).
# Installs Deno 2.9.6 from npm when `deno` is missing (npm install -g deno@2.9.6).
set -u

OUT_JSON="${1:-${OUT:-gpu_check.json}}"
case "$OUT_JSON" in
  */) OUT_JSON="${OUT_JSON}gpu_check.json" ;;
esac
if [ -d "$OUT_JSON" ]; then OUT_JSON="$OUT_JSON/gpu_check.json"; fi
QUICK="${QUICK:-0}"
if [ ! -f deno.json ] || [ ! -d lib/engine/backend/webgpu ]; then
  echo "gpu_check.sh: run it from the repository root (no deno.json / lib/engine here)" >&2
  exit 2
fi
if ! command -v deno >/dev/null 2>&1; then
  echo "gpu_check.sh: deno not found; installing deno@2.9.6 from npm" >&2
  npm install -g deno@2.9.6 >&2 || { echo "gpu_check.sh: npm install -g deno@2.9.6 failed" >&2; exit 2; }
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")"
if [ "$QUICK" = "1" ]; then
  T_TESTS=900; T_BENCH=300; T_STEP=300; T_RMT=300; MATMUL_FLAGS="--no-naive --quick"
  TESTS="tests/engine/backend/webgpu/device_test.ts tests/engine/backend/webgpu/wgsl_test.ts tests/engine/backend/webgpu/recorder_test.ts tests/engine/backend/webgpu/rows_test.ts"
else
  T_TESTS=180; T_BENCH=90; T_STEP=90; T_RMT=90; MATMUL_FLAGS="--no-naive"
  TESTS="tests/engine/backend/webgpu/"
fi

# run NAME SECONDS COMMAND...: runs a part under timeout; its log, exit status and seconds go
# to $WORK/NAME.{log,rc,s}.
run() {
  name="$1"; limit="$2"; shift 2
  echo "gpu_check.sh: $name (at most ${limit} s)" >&2
  start=$(date +%s)
  timeout "$limit" "$@" >"$WORK/$name.log" 2>&1
  echo $? >"$WORK/$name.rc"
  echo $(($(date +%s) - start)) >"$WORK/$name.s"
}

deno eval --quiet '
  import { probeWebGpu } from "./lib/engine/backend/webgpu/device.ts";
  console.log(JSON.stringify(await probeWebGpu()));
' >"$WORK/adapter.json" 2>"$WORK/adapter.log" || echo '{"available":false,"software":false,"description":"probe failed"}' >"$WORK/adapter.json"

run tests "$T_TESTS" deno test -A $TESTS
run matmul "$T_BENCH" deno run -A bench/matmul_bench.ts $MATMUL_FLAGS --json "$WORK/matmul.json"
run step "$T_STEP" env RMT_BACKEND=webgpu deno bench -A --filter "train step reference" bench/model_bench.ts
run rmt "$T_RMT" deno task train --backend webgpu --steps 1 --out "$WORK/rmt_run"

WORK="$WORK" OUT_JSON="$OUT_JSON" QUICK="$QUICK" deno eval --quiet '
  const work = Deno.env.get("WORK");
  const read = (f) => { try { return Deno.readTextFileSync(`${work}/${f}`); } catch { return ""; } };
  const json = (f) => { try { return JSON.parse(read(f)); } catch { return null; } };
  const tail = (text) => text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").slice(-15).join("\n");
  const part = (name, extra = () => ({})) => {
    const log = read(`${name}.log`);
    const rc = Number(read(`${name}.rc`).trim());
    return { ok: rc === 0, exitCode: rc, timedOut: rc === 124, seconds: Number(read(`${name}.s`)),
      ...extra(log), ...(rc === 0 ? {} : { logTail: tail(log) }) };
  };
  const summary = (log) => {
    const m = log.replace(/\x1b\[[0-9;]*m/g, "").match(/(ok|FAILED) \| (\d+) passed(?: \((\d+) steps\))? \| (\d+) failed/);
    return m ? { passed: Number(m[2]), failed: Number(m[4]) } : {};
  };
  const tokens = (log) => {
    const m = log.match(/train step reference[^:]*: (\d+) tokens\/s \((\d+) ms\)/);
    return m ? { tokensPerSecond: Number(m[1]), msPerStep: Number(m[2]) } : {};
  };
  const rmt = () => ({ summary: json("rmt_run/summary.json") });
  const report = {
    date: new Date().toISOString(),
    quick: Deno.env.get("QUICK") === "1",
    deno: Deno.version.deno,
    adapter: json("adapter.json"),
    tests: part("tests", summary),
    matmul: part("matmul", () => ({ figures: json("matmul.json") })),
    trainingStep: part("step", tokens),
    rmtStep: part("rmt", rmt),
  };
  Deno.writeTextFileSync(Deno.env.get("OUT_JSON"), JSON.stringify(report, null, 2) + "\n");
'
echo "gpu_check.sh: wrote $OUT_JSON (logs in $WORK)" >&2
