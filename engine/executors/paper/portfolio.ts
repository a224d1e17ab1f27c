/** Simulated token balances of the paper executor, in atoms per mint. */
import { SolrulesError } from '../../errors/index.ts';

export class Portfolio {
  private readonly balances = new Map<string, bigint>();

  constructor(initial: Record<string, bigint> = {}) {
    for (const [mint, atoms] of Object.entries(initial)) this.balances.set(mint, atoms);
  }

  balance(mint: string): bigint {
    return this.balances.get(mint) ?? 0n;
  }

  /** Moves `amountIn` of one mint out and `amountOut` of another in, atomically. */
  swap(inputMint: string, amountIn: bigint, outputMint: string, amountOut: bigint): void {
    const have = this.balance(inputMint);
    if (have < amountIn) {
      throw new SolrulesError('EXEC_INSUFFICIENT_BALANCE', `paper balance of ${inputMint} is ${have} atoms; the order needs ${amountIn}`, { mint: inputMint, balance: have, needed: amountIn });
    }
    this.balances.set(inputMint, have - amountIn);
    this.balances.set(outputMint, this.balance(outputMint) + amountOut);
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries([...this.balances].map(([m, a]) => [m, a.toString()]));
  }

  static fromJSON(json: Record<string, string>): Portfolio {
    return new Portfolio(Object.fromEntries(Object.entries(json).map(([m, a]) => [m, BigInt(a)])));
  }
}
