/**
 * WGSL assembly (`lib/engine/backend/webgpu/wgsl.ts`): every kernel assembles with its `Params`
 * intact and all placeholders filled; the `Params` layout follows WGSL's uniform rules; the
 * `#if` blocks, includes and `// unroll` loops of the matmul kernels specialise as documented.
 * No GPU needed.
 */
import assert from "node:assert/strict";
import { EXAMPLE_CONSTANTS, KERNELS } from "../../../../lib/engine/backend/webgpu/kernels.ts";
import {
  assembleKernel,
  evalConst,
  keepIfBlocks,
  packParams,
  paramsLayoutOf,
  parseParamsStruct,
  specialise,
  unrollLoops,
} from "../../../../lib/engine/backend/webgpu/wgsl.ts";

Deno.test("every kernel's WGSL Params struct matches its spec, field by field", () => {
  for (const [name, spec] of Object.entries(KERNELS)) {
    const code = assembleKernel(spec, EXAMPLE_CONSTANTS[name as keyof typeof KERNELS]);
    const parsed = parseParamsStruct(code);
    const packed = paramsLayoutOf(spec.file).fields.map((f) => [f.name, f.type]);
    assert.deepEqual(parsed, packed, `${name} (${spec.file})`);
    assert.ok(!code.includes("{{"), `${name}: unfilled placeholder`);
  }
});

Deno.test("paramsLayoutOf() places fields by WGSL's uniform layout rules", () => {
  // n, offset0..2 (u32), then four array<vec4<u32>, 2> at 16-byte boundaries, 32 bytes each.
  const layout = paramsLayoutOf("elementwise.wgsl");
  assert.deepEqual(layout.fields.map((f) => [f.name, f.word]), [
    ["n", 0],
    ["offset0", 1],
    ["offset1", 2],
    ["offset2", 3],
    ["shape", 4],
    ["strides0", 12],
    ["strides1", 20],
    ["strides2", 28],
  ]);
  assert.equal(layout.bytes, 144);
  // Three scalars round up to 16 bytes; f32 fields keep their bits.
  const rows = new DataView(packParams("rows.wgsl", { rows: 3, cols: 5, eps: 0.5 }));
  assert.equal(rows.byteLength, 16);
  assert.deepEqual([rows.getUint32(0, true), rows.getUint32(4, true)], [3, 5]);
  assert.equal(rows.getFloat32(8, true), 0.5);
});

Deno.test("packParams() names a missing field, and fills `_` padding with 0", () => {
  assert.throws(() => packParams("rows.wgsl", { rows: 3, cols: 5 }), /no value for field eps/);
  const bytes = new Uint32Array(packParams("matmul_naive.wgsl", {
    batch: 1,
    m: 2,
    n: 3,
    k: 4,
    a_off: 5,
    b_off: 6,
    a_bstride: 7,
    b_bstride: 8,
    lda: 9,
    ldb: 10,
    k_main: 11,
  }));
  assert.deepEqual([...bytes], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]);
});

Deno.test("keepIfBlocks() keeps one side of each #if, nested, and rejects unknown names", () => {
  const text = [
    "a",
    "#if X",
    "b",
    "#if Y",
    "c",
    "#else",
    "d",
    "#endif",
    "#else",
    "e",
    "#endif",
    "f",
  ]
    .join("\n");
  assert.equal(keepIfBlocks(text, { X: true, Y: false }, "t"), "a\nb\nd\nf");
  assert.equal(keepIfBlocks(text, { X: "false", Y: true }, "t"), "a\ne\nf");
  assert.throws(() => keepIfBlocks("#if Z\n#endif", {}, "t"), /t: #if Z has no value/);
  assert.throws(() => keepIfBlocks("#if X\n", { X: true }, "t"), /#if without #endif/);
});

Deno.test("unrollLoops() writes out marked loops with constant indices, nested, bounds from consts", () => {
  const code = [
    "const N: u32 = 4u;",
    "const H: u32 = N / 2u;",
    "fn f() {",
    "  // unroll",
    "  for (var i = 0u; i < H; i++) {",
    "    // unroll",
    "    for (var j = 0u; j < 2u; j++) {",
    "      x[i][j] = i * j;",
    "    }",
    "  }",
    "  for (var k = 0u; k < N; k++) {",
    "    y[k] = 0;",
    "  }",
    "}",
  ].join("\n");
  const out = unrollLoops(code);
  const stores = out.match(/x\[\d+u\]\[\d+u\] = \d+u \* \d+u;/g);
  assert.deepEqual(stores, [
    "x[0u][0u] = 0u * 0u;",
    "x[0u][1u] = 0u * 1u;",
    "x[1u][0u] = 1u * 0u;",
    "x[1u][1u] = 1u * 1u;",
  ]);
  assert.ok(out.includes("for (var k = 0u; k < N; k++)"), "an unmarked loop stays a loop");
  assert.equal(out.split("{").length, out.split("}").length, "braces stay balanced");
});

Deno.test("evalConst() evaluates u32 constant expressions with WGSL's integer division", () => {
  const consts = new Map([["TX", 16], ["BK", 16]]);
  assert.equal(evalConst("4u * TX * BK / (TX * 16u)", consts), 4); // (4·16·16) / 256
  assert.equal(evalConst("BK / 4u * 4u", consts), 16);
  assert.equal(evalConst("7u / 2u + 1", consts), 4);
  assert.throws(() => evalConst("TX * UNKNOWN", consts), /not a u32 expression/);
});

Deno.test("specialise() assembles a matmul kernel: include, #if sides, placeholders, unrolled", () => {
  const code = specialise("matmul_naive.wgsl", { TRANS_A: true, TRANS_B: false });
  assert.ok(code.includes("const TRANS_A: bool = true;"));
  assert.ok(!/\{\{\w+\}\}|^\s*#(if|else|endif)/m.test(code));
  const register = specialise("matmul_register.wgsl", {
    RM: 2,
    CG: 1,
    WX: 8,
    KU: 4,
    TRANS_A: false,
    TRANS_B: false,
    FITS_M: true,
    FITS_N: false,
    VEC_A: true,
    VEC_B: false,
    VEC_OUT: true,
    A_T: "vec4<f32>",
    B_T: "f32",
    OUT_T: "vec4<f32>",
  });
  assert.ok(register.includes("fn b_chunk("), "the tile include is pasted in");
  assert.ok(!/\{\{\w+\}\}|^\s*#(if|else|endif)|\/\/ unroll\n\s*for/m.test(register));
  assert.ok(register.includes("acc[1u][0u] = fma("), "rows written out with constant indices");
});
