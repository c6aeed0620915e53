#!/bin/sh
# Same-run comparison: our kernels and GPT against the peers (TensorFlow.js on the same WebGPU
# adapter, PyTorch on the same CPU cores), one after the other on a quiet machine, so that every
# figure can be read as a ratio measured under the same conditions.
#
#   sh bench/same_run.sh [PEERS_DIR] [OUT_DIR]
#   REPEAT=3 sh bench/same_run.sh     # the whole sequence 3 times, then the headlines of each pass
#
# PEERS_DIR (default ../shared/peers) holds bench_tfjs.ts, bench_torch.py and
# wgsl_register_tiled_probe.ts. PyTorch: `apt-get install -y python3-torch libopenblas0-openmp`
# (Debian's interpreter, /usr/bin/python3; OpenBLAS with OpenMP, 2 threads). TensorFlow.js is
# fetched by Deno from the npm registry. Logs go to OUT_DIR (default runs/same_run); the
# figures we quote are in docs/performance.md. Timings on a shared VM drift by up to ~1.7× between
# runs; with REPEAT > 1 ours and the peers alternate pass by pass, so a drift hits both, and the
# closing summary shows the spread of the headline figures (logs: OUT_DIR/NAME.PASS.log).
set -u
PEERS=${1:-../shared/peers}
OUT=${2:-runs/same_run}
mkdir -p "$OUT"
LIB=/usr/lib/x86_64-linux-gnu
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}

REPEAT=${REPEAT:-1}
case $REPEAT in
'' | *[!0-9]* | 0)
  echo "same_run.sh: REPEAT must be a positive integer, got '$REPEAT'" >&2
  exit 2
  ;;
esac

step() {
  name=$1
  shift
  log="$OUT/$name.log"
  [ "$REPEAT" -gt 1 ] && log="$OUT/$name.$pass.log"
  echo "== $name (pass $pass of $REPEAT): $*"
  "$@" >"$log" 2>&1
  grep -v -e '^\s*$' "$log" | tail -n 40
}

pass=1
while [ "$pass" -le "$REPEAT" ]; do
  step ours_matmul deno run -A bench/matmul_bench.ts --no-naive
  step probe_matmul deno run -A "$PEERS/wgsl_register_tiled_probe.ts" 1024 8 2 8,8 8
  step tfjs_webgpu deno run -A "$PEERS/bench_tfjs.ts" --backend webgpu --only matmul,softmax,layernorm,train
  step ours_kernels deno bench -A bench/kernels_bench.ts
  step ours_model deno bench -A bench/model_bench.ts
  step ours_model_cpu env RMT_BACKEND=cpu deno bench -A bench/model_bench.ts
  step torch env LD_LIBRARY_PATH="$LIB/openblas-openmp" /usr/bin/python3 "$PEERS/bench_torch.py" \
    --threads 2 --only matmul,softmax,layernorm,train,sample
  pass=$((pass + 1))
done

if [ "$REPEAT" -gt 1 ]; then
  echo "== headlines per pass (matmul 1024² GFLOP/s; GPT training step tokens/s)"
  # TF.js lines read "... <rate> [<min>-<max>] ..."; the rate of the first line matching $1.
  tfjs_rate() { grep "$1" "$OUT/tfjs_webgpu.$pass.log" | grep -o '[0-9.]* \[' | head -n 1 | cut -d' ' -f1; }
  pass=1
  while [ "$pass" -le "$REPEAT" ]; do
    # Ours through the backend (what Tensor.matmul runs: repacks included), then the kernel alone.
    ours=$(grep -m1 '^square 1024 ' "$OUT/ours_matmul.$pass.log" | sed -n 's/.* backend \([0-9.]*\).*/\1/p')
    kernel=$(grep -m1 '^square 1024 ' "$OUT/ours_matmul.$pass.log" | awk '{ print $3 }')
    probe=$(grep -o 'GFLOP/s=[0-9.]*' "$OUT/probe_matmul.$pass.log" | cut -d= -f2)
    tfjs=$(tfjs_rate '1024x1024x1024 .*pipelined')
    train=$(grep -m1 'train step reference.*tokens/s' "$OUT/ours_model.$pass.log" | grep -o '[0-9]* tokens/s' | cut -d' ' -f1)
    tfjs_train=$(tfjs_rate 'gpt train step')
    echo "pass $pass: matmul ours ${ours:-?} (kernel ${kernel:-?}) probe ${probe:-?} tfjs ${tfjs:-?}; train ours ${train:-?} tfjs ${tfjs_train:-?}"
    pass=$((pass + 1))
  done
fi
