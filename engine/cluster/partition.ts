/** Which share of the work (accounts, strategies, markets) this instance does. */
export interface Partition {
  /** Whether this instance does the work named `key` now. */
  owns(key: string): boolean;
  /** Called with the live members after every change of the share; returns an unsubscribe. */
  onChange(listener: (members: readonly string[]) => void): () => void;
}

/** The partition of an instance running alone: it owns everything, and nothing ever changes. */
export const WHOLE: Partition = {
  owns: () => true,
  onChange: () => () => undefined,
};
