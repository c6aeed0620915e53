#!/bin/sh
# Same-run comparison of our GPT with PyTorch on the same CPU cores: the reference training step
# and KV-cache generation at batch 8 and 64 (bench/gpt_throughput.ts against its peer
# bench/torch_peer.py, same model and cases), alternating ours and PyTorch pass by pass so that a
# drift of the machine hits both, then the ratios ours/PyTorch of every pass.
#
#   sh bench/same_run.sh [OUT_DIR]                  # default OUT_DIR runs/same_run
#   REPEAT=3 sh bench/same_run.sh                   # three alternating passes
#   BACKEND=webgpu sh bench/same_run.sh             # ours on another backend (default cpu)
#   THREADS="2" sh bench/same_run.sh                # thread counts tried on both sides
#   REPS=5 sh bench/same_run.sh                     # timed repetitions per case (median)
#
# Each side runs once per thread count in THREADS (default "1 2": OpenBLAS's threads for ours
# through RMT_BLAS_THREADS, intra-op threads for PyTorch) and its best figure per case is
# compared, so neither side is held to a thread count that loses on a busy machine (PyTorch's
# OpenMP threads spin, and collapse when the cores are shared). PyTorch: Debian's python3-torch
# (apt-get install -y python3-torch), run with /usr/bin/python3 unless PYTHON is set. Logs, one
# JSON line each, go to OUT_DIR/{ours,torch}.t<threads>.<pass>.json.
set -u
OUT=${1:-runs/same_run}
REPEAT=${REPEAT:-1}
REPS=${REPS:-3}
BACKEND=${BACKEND:-cpu}
THREADS=${THREADS:-1 2}
PYTHON=${PYTHON:-/usr/bin/python3}
for v in "REPEAT=$REPEAT" "REPS=$REPS"; do
  case ${v#*=} in
  '' | *[!0-9]* | 0)
    echo "same_run.sh: ${v%%=*} must be a positive integer, got '${v#*=}'" >&2
    exit 2
    ;;
  esac
done
if ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "same_run.sh: PYTHON=$PYTHON cannot import torch (apt-get install -y python3-torch)" >&2
  exit 2
fi
mkdir -p "$OUT"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}

pass=1
while [ "$pass" -le "$REPEAT" ]; do
  for t in $THREADS; do
    echo "== pass $pass of $REPEAT: ours ($BACKEND), $t BLAS thread(s)"
    RMT_BLAS_THREADS=$t deno run -A bench/gpt_throughput.ts --backend "$BACKEND" --reps "$REPS" \
      | tee "$OUT/ours.t$t.$pass.json"
    echo "== pass $pass of $REPEAT: PyTorch, $t thread(s)"
    OMP_NUM_THREADS=$t "$PYTHON" bench/torch_peer.py --threads "$t" --reps "$REPS" \
      | tee "$OUT/torch.t$t.$pass.json"
  done
  pass=$((pass + 1))
done

echo "== ratios ours/PyTorch per pass (best over threads $THREADS on each side; tokens/s)"
"$PYTHON" - "$OUT" "$REPEAT" "$THREADS" <<'EOF'
import json, sys
out, repeat, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
keys = ["train_tokens_per_s", "generate_b8_tokens_per_s", "generate_b64_tokens_per_s"]
def best(side, p, key):
    vals = []
    for t in threads:
        try:
            with open(f"{out}/{side}.t{t}.{p}.json") as f:
                vals.append(json.loads(f.read().strip().splitlines()[-1]).get(key, 0))
        except (OSError, ValueError, IndexError):
            pass
    return max(vals, default=0)
ratios = {k: [] for k in keys}
for p in range(1, repeat + 1):
    cells = []
    for k in keys:
        o, t = best("ours", p, k), best("torch", p, k)
        r = o / t if t else float("nan")
        ratios[k].append(r)
        cells.append(f"{k.replace('_tokens_per_s', '')} {o:.0f}/{t:.0f} = {r:.2f}x")
    print(f"pass {p}: " + "; ".join(cells))
if repeat > 1:
    print("range:  " + "; ".join(
        f"{k.replace('_tokens_per_s', '')} {min(v):.2f}-{max(v):.2f}x" for k, v in ratios.items()))
EOF
