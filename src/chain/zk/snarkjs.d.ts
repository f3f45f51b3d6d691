/** The part of snarkjs Tally calls; the package ships no typings. */
declare module 'snarkjs' {
  export type Groth16Proof = {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: 'groth16';
    curve: 'bn128';
  };
  export type VerificationKey = { protocol: string; curve: string; nPublic: number } & Record<
    string,
    unknown
  >;
  export type Logger = {
    debug: (message: string) => void;
    info: (message: string) => void;
    warn: (message: string) => void;
    error: (message: string) => void;
  };
  type Input = Record<string, unknown>;
  type Curve = { terminate: () => Promise<void> };

  export const groth16: {
    fullProve(
      input: Input,
      wasm: string | Uint8Array,
      zkey: string | Uint8Array,
      logger?: Logger,
      witnessOptions?: Record<string, unknown>,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      verificationKey: VerificationKey,
      publicSignals: string[],
      proof: Groth16Proof,
      logger?: Logger,
    ): Promise<boolean>;
  };
  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(from: string, to: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(from: string, to: string, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    contribute(from: string, to: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkey: string | Uint8Array, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkey: string, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };
  export const curves: { getCurveFromName(name: string): Promise<Curve> };
}
