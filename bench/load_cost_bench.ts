/**
 * What a load costs next to a multiply-add on this adapter: the numbers behind the matmul
 * kernel's shape (see `lib/engine/backend/webgpu/matmul/plan.ts` and docs/performance.md).
 *
 *   deno run -A bench/load_cost_bench.ts     # table
 *   deno bench -A bench/load_cost_bench.ts   # Deno.bench entries, one per case
 *
 * Every case runs the same loop of L = 1024 iterations in 4096 workgroups of 8 invocations
 * (8 is lavapipe's SIMD width on AVX2: one workgroup is one vector of lanes). One iteration does
 * one kind of work: 16 vec4 multiply-adds into 8 accumulators, or 8 floats read one of several
 * ways. The table gives wall time per workgroup-iteration (all adapter threads together) and per
 * float, and the float's cost in vec4 multiply-adds.
 *
 * Method: one warm-up dispatch (compiles), then `REPS` dispatches in one submit, timed from
 * submit to the end of a 16-byte readback, best of 3; nothing subtracted.
 *
 * @module
 */

import { getGpu } from "../tests/engine/backend/webgpu/matmul/_harness.ts";

const L = 1024;
const WORKGROUPS = 4096;
const REPS = 4;

/** One measured loop body. */
interface Case {
  name: string;
  /** What the 8 floats (or 16 multiply-adds) per iteration are. */
  what: string;
  /** Floats read per invocation per iteration (0 for the arithmetic case). */
  floats: number;
  /** WGSL statements of one iteration; `k` is the loop index, `p` a per-lane base index. */
  body: string;
}

const range = (n: number) => [...Array(n).keys()];

const CASES: Case[] = [
  {
    name: "fma",
    what: "16 vec4 multiply-adds, 8 accumulators",
    floats: 0,
    body: range(16).map((f) => `acc${f % 8} = fma(acc${f % 8}, w, t);`).join(" "),
  },
  {
    name: "per-lane f32",
    what: "8 f32 storage loads, address differs per lane",
    floats: 8,
    body: range(8).map((x) => `t.x += s[p + ${x * 8}u];`).join(" "),
  },
  {
    name: "per-lane vec4",
    what: "2 vec4 storage loads, address differs per lane",
    floats: 8,
    body: range(2).map((x) => `t += s4[p / 4u + ${x * 8}u];`).join(" "),
  },
  {
    name: "workgroup-uniform f32",
    what: "8 f32 storage loads, same address in every lane (like a matmul's A rows)",
    floats: 8,
    body: range(8).map((x) => `t.x += s[q + ${x * 8}u];`).join(" "),
  },
  {
    name: "uniform buffer f32",
    what: "8 f32 loads from a 64 KiB var<uniform>, address differs per lane",
    floats: 8,
    body: range(8).map((x) => `t.x += u[(p + ${x * 8}u) % 4096u].x;`).join(" "),
  },
];

function shader(c: Case): string {
  return `
@group(0) @binding(0) var<storage, read> s: array<f32>;
@group(0) @binding(1) var<storage, read> s4: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> u: array<vec4<f32>, 4096>;
@group(0) @binding(3) var<storage, read_write> o: array<vec4<f32>>;
@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  ${range(8).map((i) => `var acc${i} = vec4<f32>(f32(l + ${i}u));`).join(" ")}
  var t = vec4<f32>(0.0);
  for (var k = 0u; k < ${L}u; k += 1u) {
    let q = (wg.x % 64u) * 1024u + k * 16u; // workgroup-uniform
    let p = q + l * 4u; // per lane
    let w = vec4<f32>(f32(k));
    ${c.body}
  }
  o[wg.x * 8u + l] = t ${range(8).map((i) => `+ acc${i}`).join(" ")};
}`;
}

interface Setup {
  run: () => Promise<number>;
}

async function setup(device: GPUDevice, c: Case): Promise<Setup> {
  const C = GPUShaderStage.COMPUTE;
  const layout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: C, buffer: { type: "read-only-storage" } },
      { binding: 1, visibility: C, buffer: { type: "read-only-storage" } },
      { binding: 2, visibility: C, buffer: { type: "uniform" } },
      { binding: 3, visibility: C, buffer: { type: "storage" } },
    ],
  });
  const module = device.createShaderModule({ code: shader(c) });
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: "main" },
  });
  const S = GPUBufferUsage.STORAGE;
  const buffers = [
    device.createBuffer({ size: 1 << 20, usage: S }),
    device.createBuffer({ size: 1 << 20, usage: S }),
    device.createBuffer({ size: 1 << 16, usage: GPUBufferUsage.UNIFORM }),
    device.createBuffer({ size: WORKGROUPS * 8 * 16, usage: S | GPUBufferUsage.COPY_SRC }),
  ];
  const readback = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const bindGroup = device.createBindGroup({
    layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const run = async (reps: number) => {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(WORKGROUPS);
    pass.end();
    enc.copyBufferToBuffer(buffers[3], 0, readback, 0, 16);
    device.queue.submit([enc.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    readback.unmap();
    return (performance.now() - t0) / reps;
  };
  await run(1);
  return { run: () => run(REPS) };
}

const gpu = await getGpu();
if (gpu === undefined) {
  console.log("load_cost_bench: no WebGPU adapter; nothing measured");
} else {
  const setups = new Map<string, Setup>();
  for (const c of CASES) setups.set(c.name, await setup(gpu.device, c));
  console.log(`adapter: ${gpu.description} (${gpu.kind})`);
  console.log(
    "| case                  | ns per workgroup-iteration | ns per float | vec4 multiply-adds per float |",
  );
  console.log(
    "| --------------------- | -------------------------: | -----------: | ---------------------------: |",
  );
  let fmaNs = NaN;
  for (const c of CASES) {
    let ms = Infinity;
    for (let i = 0; i < 3; i++) ms = Math.min(ms, await setups.get(c.name)!.run());
    const ns = ms * 1e6 / (WORKGROUPS * L);
    if (c.floats === 0) fmaNs = ns / 16;
    const perFloat = c.floats === 0 ? "–" : (ns / c.floats).toFixed(2);
    const inFma = c.floats === 0 ? "–" : (ns / c.floats / fmaNs).toFixed(1);
    console.log(
      `| ${c.name.padEnd(21)} | ${ns.toFixed(2).padStart(26)} | ${perFloat.padStart(12)} | ${
        inFma.padStart(28)
      } |`,
    );
  }
  console.log(`(${CASES.map((c) => `${c.name}: ${c.what}`).join("; ")})`);
  for (const c of CASES) {
    Deno.bench({
      name: `load cost: ${c.name} (${REPS} dispatches of ${WORKGROUPS}×${L} iterations)`,
      group: "load cost",
      n: 1,
      warmup: 0,
      fn: async () => {
        await setups.get(c.name)!.run();
      },
    });
  }
}
