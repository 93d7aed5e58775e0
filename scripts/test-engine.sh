#!/usr/bin/env bash
# npm run test:engine — the real Pulumi engine suite: builds (or reuses) the
# engine in .pulumi-engine/, then runs test/engine/ with the pinned Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=use-node.sh
source scripts/use-node.sh
bash scripts/engine-install.sh
exec npx vitest run --config vitest.engine.config.ts "$@"
