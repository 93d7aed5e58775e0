import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-engine suite runs with `npm run test:engine` (vitest.engine.config.ts).
    exclude: ["test/engine/**", "node_modules/**"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Integration tests start emulators on loopback; two cores here.
    maxWorkers: 2,
  },
});
