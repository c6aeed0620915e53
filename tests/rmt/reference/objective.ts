/**
 * Oracle of `lib/rmt/objective.ts` (method §4.2, §4.3): the masked NTP loss and the unified loss
 * on plain numbers, in float64. The tests compare the tensor functions that train with these.
 */

/** Token-mean masked NLL: Σ_p m_p·nll_p / Σ_p m_p (0 when nothing is unmasked). */
// method §4.2: L_NTP = −Σ_pos m_pos log p_θ(τ_pos | τ_<pos), normalised by Σ m_pos
export function ntpLoss(nllPerPosition: ArrayLike<number>, mask: ArrayLike<number>): number {
  if (nllPerPosition.length !== mask.length) {
    throw new RangeError(
      `Cannot compute the NTP loss: ${nllPerPosition.length} losses but ` +
        `${mask.length} mask entries`,
    );
  }
  let total = 0, count = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) continue;
    total += mask[p]! * nllPerPosition[p]!;
    count += mask[p]!;
  }
  return count > 0 ? total / count : 0;
}

/** The unified loss to minimise: −J_RL + λ·NLL_NTP. */
// method §4.3: L(θ) = L_RL(θ) + λ·L_NTP(θ), implemented as −J_RL + λ·NLL
export function unifiedLoss(jRl: number, nllNtp: number, lambda: number): number {
  return -jRl + lambda * nllNtp;
}

/** −log softmax(z)[target] in float64, the NLL of one logits row. */
export function nll(logits: ArrayLike<number>, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < logits.length; v++) max = Math.max(max, logits[v]!);
  let sum = 0;
  for (let v = 0; v < logits.length; v++) sum += Math.exp(logits[v]! - max);
  return max + Math.log(sum) - logits[target]!;
}
