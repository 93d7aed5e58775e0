import { defineConfig } from "vitest/config";

// The engine suite (npm run test:engine): the real Pulumi CLI against the
// emulators, one file at a time (each drives whole stacks). Timeouts only
// guard against a hang; no test asserts on time.
export default defineConfig({
  test: {
    include: ["test/engine/**/*.engine.test.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
