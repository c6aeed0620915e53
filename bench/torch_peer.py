#!/usr/bin/env python3
"""PyTorch peer of bench/gpt_throughput.ts: the same GPT, training step and KV-cache generation
in PyTorch on the CPU, printing tokens/s as one JSON line with the same keys, so that
bench/same_run.sh can alternate the two and print ratios measured under the same conditions.

    /usr/bin/python3 bench/torch_peer.py [--threads 2] [--reps 5] [--only train,gen8,gen64]

Needs PyTorch (Debian/Ubuntu: apt-get install python3-torch; use that interpreter).

The model is lib/model/gpt.ts with its reference configuration: 4 pre-norm blocks, width 256,
4 heads, context 128, vocabulary 512, learned positions, MLP 4x with tanh-GELU, layer norm
eps 1e-5, biases on every Linear, tied output head (logits = x @ wte^T), GPT-2 initialisation
(N(0, 0.02^2), residual projections 0.02/sqrt(2 L), zero biases). Attention is written out
(q k^T / sqrt(D) + causal bias, softmax, @ v), as ours is. The training step is forward,
mean cross-entropy, backward, global-norm clipping to 1.0 and AdamW (lr 1e-4, betas 0.9/0.95,
eps 1e-8, weight decay 0.1 on matrices only), batch 16 x 128 tokens.
Generation: batch 8 and 64, a one-token prompt, 127 new tokens sampled from softmax(logits)
(temperature 1, no top-k) with a preallocated (B, H, 128, D) key/value cache per layer; the
throughput counts new tokens, prefill included.

Timing: time.perf_counter around each call after warm-up; each figure is the median of --reps.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, L, C, H, NLAYER, B, T = 512, 128, 256, 4, 4, 16, 128


class Block(nn.Module):
    def __init__(self, resid_std):
        super().__init__()
        self.ln1 = nn.LayerNorm(C, eps=1e-5)
        self.qkv = nn.Linear(C, 3 * C)
        self.proj = nn.Linear(C, C)
        self.ln2 = nn.LayerNorm(C, eps=1e-5)
        self.fc = nn.Linear(C, 4 * C)
        self.fc_proj = nn.Linear(4 * C, C)
        for lin, std in ((self.qkv, 0.02), (self.proj, resid_std), (self.fc, 0.02),
                         (self.fc_proj, resid_std)):
            nn.init.normal_(lin.weight, 0.0, std)
            nn.init.zeros_(lin.bias)

    def attn(self, x, bsz, t, cache, start, bias):
        d = C // H
        heads = self.qkv(x).view(bsz, t, 3, H, d).permute(2, 0, 3, 1, 4)  # (3, B, H, T, D)
        q, k, v = heads[0], heads[1], heads[2]
        if cache is not None:
            cache[0][:, :, start:start + t] = k
            cache[1][:, :, start:start + t] = v
            k = cache[0][:, :, :start + t]
            v = cache[1][:, :, :start + t]
        att = (q * (1.0 / math.sqrt(d))) @ k.transpose(2, 3)  # (B, H, T, S)
        if bias is not None:
            att = att + bias
        y = att.softmax(-1) @ v  # (B, H, T, D)
        return self.proj(y.transpose(1, 2).reshape(bsz * t, C))

    def forward(self, x, bsz, t, cache, start, bias):
        x = x + self.attn(self.ln1(x), bsz, t, cache, start, bias)
        return x + self.fc_proj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Parameter(torch.randn(V, C) * 0.02)
        self.wpe = nn.Parameter(torch.randn(L, C) * 0.02)
        resid_std = 0.02 / math.sqrt(2 * NLAYER)
        self.blocks = nn.ModuleList(Block(resid_std) for _ in range(NLAYER))
        self.ln_f = nn.LayerNorm(C, eps=1e-5)

    def forward(self, ids, caches=None, start=0, last_only=False):
        bsz, t = ids.shape
        s = start + t
        bias = None
        if t > 1:  # causal over the new positions: query i sees keys <= start + i
            bias = torch.full((t, s), float("-inf")).triu(start + 1)
        x = (self.wte[ids] + self.wpe[start:s]).reshape(bsz * t, C)
        for i, block in enumerate(self.blocks):
            x = block(x, bsz, t, None if caches is None else caches[i], start, bias)
        if last_only:
            x = x.view(bsz, t, C)[:, -1]
            t = 1
        return (self.ln_f(x) @ self.wte.t()).view(bsz, t, V)


def train_rate(reps):
    torch.manual_seed(0)
    model = GPT()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": rest, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    x = torch.randint(0, V, (B, T))
    y = torch.randint(0, V, (B, T))

    def step():
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, V), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    return B * T / median_seconds(step, warmup=2, reps=reps)


def generate_rate(bsz, reps, new_tokens=L - 1):
    torch.manual_seed(0)
    model = GPT()
    d = C // H

    @torch.no_grad()
    def run():
        caches = [(torch.zeros(bsz, H, L, d), torch.zeros(bsz, H, L, d)) for _ in range(NLAYER)]
        ids = torch.randint(0, V, (bsz, 1))
        pos = 0
        for _ in range(new_tokens):
            logits = model(ids, caches, pos, last_only=True)[:, -1]  # (B, V)
            pos += ids.shape[1]
            ids = torch.multinomial(logits.softmax(-1), 1)  # (B, 1)

    return bsz * new_tokens / median_seconds(run, warmup=1, reps=reps)


def median_seconds(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    secs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2)")
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions per case (median)")
    ap.add_argument("--only", default="train,gen8,gen64", help="cases: train, gen8, gen64")
    args = ap.parse_args()
    if args.threads < 1 or args.reps < 1:
        ap.error("--threads and --reps: expected positive integers")
    cases = args.only.split(",")
    unknown = [c for c in cases if c not in ("train", "gen8", "gen64")]
    if unknown:
        ap.error(f"--only: expected train, gen8 or gen64, got {','.join(unknown)}")
    torch.set_num_threads(args.threads)
    out = {"impl": f"pytorch {torch.__version__}", "threads": torch.get_num_threads()}
    if "train" in cases:
        out["train_tokens_per_s"] = round(train_rate(args.reps), 1)
    if "gen8" in cases:
        out["generate_b8_tokens_per_s"] = round(generate_rate(8, max(1, args.reps // 2)), 1)
    if "gen64" in cases:
        out["generate_b64_tokens_per_s"] = round(generate_rate(64, max(1, args.reps // 2)), 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
