/**
 * Wall time, CPU time and peak RSS of one phase of the current process.
 * Peak RSS comes from two sources: a sampler (every 20 ms, or 250 ms when
 * VmHWM can be reset; it misses peaks while the event loop is blocked, e.g.
 * inside planLinks) and the kernel's VmHWM,
 * reset at the phase start through /proc/self/clear_refs where Linux allows
 * it, so it is the phase's own high-water mark, not the process lifetime's.
 */
import fs from "node:fs";

export interface PhaseFigures {
  wallMs: number;
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** RSS when the phase started (ts-node and the loaded code are already in it). */
  rssStartMb: number;
  /** max(sampled, VmHWM): the figure to report. */
  peakRssMb: number;
  sampledPeakRssMb: number;
  /** Kernel high-water mark at the phase end (phase-only when hwmReset). */
  vmHwmMb: number | null;
  hwmReset: boolean;
}

const MB = 1024 * 1024;

function readVmHwmMb(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null; // not Linux
  }
}

function resetVmHwm(): boolean {
  try {
    // "5" resets the peak RSS counter (Linux >= 4.0).
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

export async function measurePhase<T>(
  fn: () => Promise<T> | T,
): Promise<{ value: T; figures: PhaseFigures }> {
  const hwmReset = resetVmHwm();
  const rssStart = process.memoryUsage.rss();
  let sampled = rssStart;
  // With a phase-only VmHWM the sampler is a cross-check: sample rarely, since
  // reading RSS costs CPU that would count as the tool's (about 4% at 20 ms here).
  const timer = setInterval(
    () => {
      const r = process.memoryUsage.rss();
      if (r > sampled) sampled = r;
    },
    hwmReset ? 250 : 20,
  );
  timer.unref();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const end = process.memoryUsage.rss();
    if (end > sampled) sampled = end;
    const hwm = readVmHwmMb();
    const sampledMb = sampled / MB;
    return {
      value,
      figures: {
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        rssStartMb: rssStart / MB,
        peakRssMb: Math.max(sampledMb, hwm ?? 0),
        sampledPeakRssMb: sampledMb,
        vmHwmMb: hwm,
        hwmReset,
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/** CPU and wall of a synchronous step (planLinks): no sampler, the event loop is blocked anyway. */
export function measureSync<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
