/**
 * The matmul kernel variants as plans: each fills its `kernels/matmul_*.wgsl` file's constants
 * from a problem and a configuration (layout flags, vec4 eligibility, whether M and N fit the
 * tile), packs its `Params` by the names of the file's struct, and sizes its dispatches. Only
 * the layout and the fits flags are baked into the code; shapes, strides and offsets travel in
 * `Params`, so a run with static shapes compiles a handful of pipelines. `plan.key` names the
 * code exactly.
 *
 * @module
 */
import { packParams, specialise } from "../wgsl.ts";
import {
  aligned4,
  type MatmulDispatch,
  type MatmulPlan,
  type MatmulProblem,
  type RegisterConfig,
  type TiledConfig,
  type WindowConfig,
} from "./problem.ts";
import { windowLayout } from "./window.ts";

const vec4Type = (vec: boolean) => vec ? "vec4<f32>" : "f32";
const flagKey = (flags: Record<string, boolean>) =>
  Object.entries(flags).map(([k, v]) => `${k}${+v}`).join("");

/** The constants of `kernels/_matmul_tile.wgsl` for a problem, with the facts planners need. */
function tileConstants(p: MatmulProblem, cfg: RegisterConfig | WindowConfig, vecB: boolean) {
  const { rm, cg, wx, ku } = cfg;
  if (ku % 4 !== 0 || rm < 1 || cg < 1 || wx < 1) throw new Error(`matmul: bad config`);
  const tn = wx * cg * 4;
  const vecOut = p.n % 4 === 0;
  const values = {
    RM: rm,
    CG: cg,
    WX: wx,
    KU: ku,
    TRANS_B: p.transB,
    FITS_M: p.m % rm === 0,
    FITS_N: p.n % tn === 0,
    VEC_B: vecB,
    VEC_OUT: vecOut,
    B_T: vec4Type(vecB),
    OUT_T: vec4Type(vecOut),
  };
  return { values, tn, kMain: p.k - (p.k % ku) };
}

/** The flags a register or window plan's key names, in key order. */
function tileFlags(p: MatmulProblem, t: ReturnType<typeof tileConstants>, vecA: boolean) {
  return {
    tA: p.transA,
    tB: p.transB,
    vA: vecA,
    vB: t.values.VEC_B,
    vO: t.values.VEC_OUT,
    fM: t.values.FITS_M,
    fN: t.values.FITS_N,
  };
}

/** Uniform bytes of the strided kernels (register, tiled, naive): the problem as it is. */
function stridedParams(file: string, p: MatmulProblem, kMain: number): ArrayBuffer {
  return packParams(file, {
    batch: p.batch,
    m: p.m,
    n: p.n,
    k: p.k,
    a_off: p.aOffset,
    b_off: p.bOffset,
    a_bstride: p.aBatchStride,
    b_bstride: p.bBatchStride,
    lda: p.lda,
    ldb: p.ldb,
    k_main: kMain,
  });
}

/** The register-tiled variant (`kernels/matmul_register.wgsl`). */
export function planRegister(p: MatmulProblem, cfg: RegisterConfig): MatmulPlan {
  if (p.sumBatch) throw new Error("matmul: sumBatch needs the window variant");
  const allowVec = cfg.vec4 ?? true;
  // vec4 eligibility: every address the vector load touches is a multiple of 4 elements.
  const vecA = allowVec && !p.transA && aligned4(p.lda, p.aOffset, p.aBatchStride);
  const vecB = allowVec && aligned4(p.ldb, p.bOffset, p.bBatchStride) &&
    (p.transB || p.n % 4 === 0);
  const t = tileConstants(p, cfg, vecB);
  const file = "matmul_register.wgsl";
  const code = specialise(file, {
    ...t.values,
    TRANS_A: p.transA,
    VEC_A: vecA,
    A_T: vec4Type(vecA),
  });
  const { rm, cg, wx, ku } = cfg;
  return {
    key: `matmul/register/rm${rm}cg${cg}wx${wx}ku${ku}/${flagKey(tileFlags(p, t, vecA))}`,
    code,
    dispatches: [{
      params: stridedParams(file, p, t.kMain),
      workgroups: [Math.ceil(p.n / t.tn), Math.ceil(p.m / rm), p.batch],
    }],
  };
}

/** The uniform-window variant (`kernels/matmul_window.wgsl`): one dispatch per window of A. */
export function planWindow(
  p: MatmulProblem,
  cfg: WindowConfig,
  limits: GPUSupportedLimits,
): MatmulPlan {
  const layout = windowLayout(p, cfg, limits);
  if (typeof layout === "string") throw new Error(`matmul: window variant: ${layout}`);
  const vecB = aligned4(p.ldb, p.bOffset, p.bBatchStride) && (p.transB || p.n % 4 === 0);
  const t = tileConstants(p, cfg, vecB);
  const sumBatch = p.sumBatch ?? false;
  const vec4s = layout.bytes / 16;
  const file = "matmul_window.wgsl";
  const code = specialise(file, {
    ...t.values,
    WINDOW: vec4s,
    TRANS_A: p.transA,
    ACCUMULATE: sumBatch,
  });
  const dispatches = layout.dispatches.map((d): MatmulDispatch => ({
    windowOffset: d.offset,
    workgroups: [Math.ceil(p.n / t.tn), d.blocks, 1],
    params: packParams(file, {
      m: p.m,
      n: p.n,
      k: p.k,
      k_main: t.kMain,
      m0: d.m0,
      a_first: d.aFirst,
      lda4: p.lda / 4,
      b_off: p.bOffset + d.z * p.bBatchStride,
      ldb: p.ldb,
      out_off: sumBatch ? 0 : d.z * p.m * p.n,
      accumulate: sumBatch && d.z > 0 ? 1 : 0,
    }),
  }));
  const { rm, cg, wx, ku } = cfg;
  return {
    key: `matmul/window/w${vec4s}rm${rm}cg${cg}wx${wx}ku${ku}/` +
      `${flagKey(tileFlags(p, t, true))}sB${+sumBatch}`,
    code,
    dispatches,
    windowBytes: layout.bytes,
  };
}

/** The workgroup-memory tiled variant (`kernels/matmul_tiled.wgsl`). */
export function planTiled(p: MatmulProblem, cfg: TiledConfig): MatmulPlan {
  if (p.sumBatch) throw new Error("matmul: sumBatch needs the window variant");
  const { tx, ty, bk } = cfg;
  const tm = 4 * ty, tn = 4 * tx, threads = tx * ty;
  if ((tm * bk) % threads !== 0 || (tn * bk) % threads !== 0) {
    throw new Error(`matmul: tiled config ${tx}×${ty}, bk ${bk}: tiles not divisible by threads`);
  }
  const vecOut = p.n % 4 === 0;
  const fitsM = p.m % tm === 0, fitsN = p.n % tn === 0, fitsK = p.k % bk === 0;
  const flags = { tA: p.transA, tB: p.transB, vO: vecOut, fM: fitsM, fN: fitsN, fK: fitsK };
  const file = "matmul_tiled.wgsl";
  const code = specialise(file, {
    TX: tx,
    TY: ty,
    BK: bk,
    TRANS_A: p.transA,
    TRANS_B: p.transB,
    FITS_M: fitsM,
    FITS_N: fitsN,
    FITS_K: fitsK,
    VEC_OUT: vecOut,
    OUT_T: vec4Type(vecOut),
  });
  return {
    key: `matmul/tiled/tx${tx}ty${ty}bk${bk}/${flagKey(flags)}`,
    code,
    dispatches: [{
      params: stridedParams(file, p, 0),
      workgroups: [Math.ceil(p.n / tn), Math.ceil(p.m / tm), p.batch],
    }],
  };
}

/** The naive kernel (`kernels/matmul_naive.wgsl`): the bench's baseline, a second oracle. */
export function planNaive(p: MatmulProblem): MatmulPlan {
  const file = "matmul_naive.wgsl";
  return {
    key: `matmul/naive/tA${+p.transA}tB${+p.transB}`,
    code: specialise(file, { TRANS_A: p.transA, TRANS_B: p.transB }),
    dispatches: [{
      params: stridedParams(file, p, 0),
      workgroups: [Math.ceil(p.n / 8), Math.ceil(p.m / 8), p.batch],
    }],
  };
}
