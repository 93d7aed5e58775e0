/**
 * Fault injection for the emulators, by rate or by script. A fault is chosen
 * per request before the handler runs (so an injected fault never has side
 * effects): 429 with the service's reset headers, 500/503, added latency, or
 * a dropped connection.
 */

export type FaultKind = "429" | "500" | "503" | "drop" | "latency";

export interface FaultRates {
  /** Fraction (0..1) of requests answered 429. */
  rate429?: number;
  rate500?: number;
  rate503?: number;
  /** Fraction of requests whose connection is destroyed without a response. */
  rateDrop?: number;
  /** Added latency for every request, ms (uniform in [latencyMs/2, latencyMs]). */
  latencyMs?: number;
}

export interface ScriptedFault {
  /** Method to match (any when absent). */
  method?: string;
  /** Path prefix or regular expression to match (any when absent). */
  path?: string | RegExp;
  fault: FaultKind;
  /** Skip this many matching requests before injecting (default 0). */
  after?: number;
  /** Inject on this many matching requests (default 1; Infinity for all). */
  times?: number;
  /** For "latency": the delay in ms. For "429": seconds until reset / Retry-After. */
  value?: number;
}

export interface FaultConfig extends FaultRates {
  script?: ScriptedFault[];
  /** Seed for the rate-based decisions (deterministic runs). */
  seed?: number;
  /** Paths never faulted (test-only control endpoints). */
  exempt?: RegExp;
}

export interface FaultDecision {
  kind: FaultKind;
  value?: number;
}

/** mulberry32: small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private rand: () => number = prng(1);
  private scriptState: Array<{ seen: number; injected: number }> = [];
  /** Count of injected faults by kind. */
  readonly injected: Record<FaultKind, number> = {
    "429": 0,
    "500": 0,
    "503": 0,
    drop: 0,
    latency: 0,
  };

  configure(config: FaultConfig): void {
    this.config = { ...config };
    this.rand = prng(config.seed ?? 1);
    this.scriptState = (config.script ?? []).map(() => ({ seen: 0, injected: 0 }));
  }

  clear(): void {
    this.configure({});
  }

  /** Decides the fault (if any) for a request; latency is returned separately. */
  decide(method: string, path: string): { fault?: FaultDecision; latencyMs: number } {
    const c = this.config;
    if (c.exempt?.test(path)) return { latencyMs: 0 };
    let latencyMs = c.latencyMs ? c.latencyMs / 2 + this.rand() * (c.latencyMs / 2) : 0;
    const script = c.script ?? [];
    for (let i = 0; i < script.length; i++) {
      const s = script[i];
      if (s.method && s.method.toUpperCase() !== method.toUpperCase()) continue;
      if (
        s.path !== undefined &&
        !(typeof s.path === "string" ? path.startsWith(s.path) : s.path.test(path))
      )
        continue;
      const st = this.scriptState[i];
      st.seen++;
      if (st.seen <= (s.after ?? 0) || st.injected >= (s.times ?? 1)) continue;
      st.injected++;
      this.injected[s.fault]++;
      if (s.fault === "latency") {
        latencyMs += s.value ?? 1000;
        continue;
      }
      return { fault: { kind: s.fault, value: s.value }, latencyMs };
    }
    const r = this.rand();
    let acc = 0;
    for (const [kind, rate] of [
      ["429", c.rate429],
      ["500", c.rate500],
      ["503", c.rate503],
      ["drop", c.rateDrop],
    ] as const) {
      acc += rate ?? 0;
      if (r < acc) {
        this.injected[kind]++;
        return { fault: { kind }, latencyMs };
      }
    }
    if (latencyMs > 0) this.injected.latency++;
    return { latencyMs };
  }
}
