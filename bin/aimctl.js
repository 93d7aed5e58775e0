#!/usr/bin/env node
// The source checkout's launcher (npm run aimctl, tests, the GitOps example):
// runs cli/main.ts through ts-node; type-checking happens in `npm test`. The
// installed package runs the compiled dist/cli/main.js instead (package.json "bin").
"use strict";
// In process: a relaunch with the CLI's Node flags (cli/relaunch.ts) would start ts-node twice.
process.env.AIMCTL_NO_RELAUNCH = "1";
require("ts-node").register({ transpileOnly: true, project: require("node:path").join(__dirname, "..", "tsconfig.json") });
require("../cli/main");
