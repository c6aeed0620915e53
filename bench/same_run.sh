#!/bin/sh
# Same-run comparison: our kernels and GPT against the peers (TensorFlow.js on the same WebGPU
# adapter, PyTorch on the same CPU cores), one after the other on a quiet machine, so that every
# figure can be read as a ratio measured under the same conditions.
#
#   sh bench/same_run.sh [PEERS_DIR] [OUT_DIR]
#
# PEERS_DIR (default ../shared/peers) holds bench_tfjs.ts, bench_torch.py and
# wgsl_register_tiled_probe.ts. PyTorch: `apt-get install -y python3-torch libopenblas0-openmp`
# (Debian's interpreter, /usr/bin/python3; OpenBLAS with OpenMP, 2 threads). TensorFlow.js is
# fetched by Deno from the npm registry. Logs go to OUT_DIR (default runs/same_run); the
# figures we quote are in docs/performance.md.
set -u
PEERS=${1:-../shared/peers}
OUT=${2:-runs/same_run}
mkdir -p "$OUT"
LIB=/usr/lib/x86_64-linux-gnu
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}

step() {
  name=$1
  shift
  echo "== $name: $*"
  "$@" >"$OUT/$name.log" 2>&1
  grep -v -e '^\s*$' "$OUT/$name.log" | tail -n 40
}

step ours_matmul deno run -A bench/matmul_bench.ts --no-naive
step probe_matmul deno run -A "$PEERS/wgsl_register_tiled_probe.ts" 1024 8 2 8,8 8
step tfjs_webgpu deno run -A "$PEERS/bench_tfjs.ts" --backend webgpu --only matmul,softmax,layernorm,train
step ours_kernels deno bench -A bench/kernels_bench.ts
step ours_model deno bench -A bench/model_bench.ts
step ours_model_cpu env RMT_BACKEND=cpu deno bench -A bench/model_bench.ts
step torch env LD_LIBRARY_PATH="$LIB/openblas-openmp" /usr/bin/python3 "$PEERS/bench_torch.py" \
  --threads 2 --only matmul,softmax,layernorm,train,sample
