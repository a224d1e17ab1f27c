/** The raw state of one account at a slot. Lamports are bigint: `rentEpoch`-sized values do not fit a JS number. */
export interface AccountSnapshot {
  /** Base58 address; `undefined` only for file formats that do not record it (carbon dumps). */
  address: string | undefined;
  /** Base58 program id that owns the account. */
  owner: string;
  data: Uint8Array;
  /** `null` where the source did not record it. */
  lamports: bigint | null;
  executable: boolean;
  rentEpoch: bigint | null;
  /** Slot the snapshot was taken at, when known. */
  slot?: number;
  /** File the snapshot came from, for error messages. */
  source?: string;
}
