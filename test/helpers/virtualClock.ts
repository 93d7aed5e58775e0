/**
 * Virtual time for tests: a clock that only `sleep` moves. A sleep moves the
 * clock to the sleeper's wake-up time (never back) after yielding to the
 * event loop once, so sleeps that overlap (concurrent workers) take as long
 * as the longest, as real ones would, instead of adding up. What a test
 * asserts about time is then what the code would have waited, however fast
 * or loaded the machine is.
 */
export interface VirtualClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Every wait asked for, in order. */
  waits: number[];
}

export function virtualClock(
  // Near the real time by default: servers stamp a real Date header, and a clock far from
  // it reads as skewed (clients then measure rate-limit resets from the server's Date).
  startMs = Math.floor(Date.now() / 1000) * 1000,
): VirtualClock {
  let t = startMs;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      const wake = t + Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
      if (wake > t) t = wake;
    },
    waits,
  };
}
