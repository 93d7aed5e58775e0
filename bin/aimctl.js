#!/usr/bin/env node
// Runs the TypeScript CLI through ts-node (type-checking happens in `npm test`).
"use strict";
require("ts-node").register({ transpileOnly: true, project: require("node:path").join(__dirname, "..", "tsconfig.json") });
require("../cli/aimctl").main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`aimctl: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 1; },
);
