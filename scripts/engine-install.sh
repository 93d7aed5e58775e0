#!/usr/bin/env bash
# npm run engine:install — builds the real Pulumi engine into .pulumi-engine/
# from Go modules (nothing fetched is committed; only this script is):
#
#   bin/pulumi                         the CLI, github.com/pulumi/pulumi/pkg/v3 at the
#                                      version of the @pulumi/pulumi we depend on
#   bin/pulumi-language-nodejs         the Node.js language host (see below for which)
#   bin/pulumi-resource-pulumi-nodejs  the dynamic-provider launcher from the npm package
#   home/plugins/resource-okta-vX      the Okta resource provider plugin (see below)
#   versions.json                      what was built, and why where it differs
#
# Reused when versions.json matches what package-lock.json asks for and every
# file is present; `--force` rebuilds. Every choice below that differs from
# "the same version as the npm package" is printed with the Go proxy's answer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=use-node.sh
source scripts/use-node.sh

force=false
[ "${1:-}" = "--force" ] && force=true
engine="${PULUMI_ENGINE_DIR:-$root/.pulumi-engine}"
mkdir -p "$engine/bin" "$engine/home" "$engine/build"

pkg_version() { node -p "require('$1/package.json').version"; }
pulumi_version="v$(pkg_version @pulumi/pulumi)"
okta_version="$(pkg_version @pulumi/okta)"
okta_major="${okta_version%%.*}"
go_version="$(go env GOVERSION)"

# The language host lives in its own, untagged Go module since pulumi v3.69
# (sdk/nodejs/cmd/pulumi-language-nodejs/v3, pseudo-versions only). Before
# that it was a package of github.com/pulumi/pulumi/sdk/v3. When the proxy
# does not serve the module at all, the newest sdk/v3 that still contains the
# host is the nearest real language host we can build.
host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
host_fallback_version="v3.68.0"
okta_module="github.com/pulumi/pulumi-okta/provider/v${okta_major}"

export GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf 'engine:install: %s\n' "$*" >&2; }

# `go list -m` answers with the proxy's own words when it refuses a module.
proxy_versions() {
  (cd "$engine/build" && go list -m -versions -json "$1" 2>&1) || true
}

stamp_wanted="pulumi=$pulumi_version okta=$okta_version go=$go_version"
if ! $force && [ -f "$engine/versions.json" ] &&
  [ "$(node -p "require('$engine/versions.json').stamp" 2>/dev/null)" = "$stamp_wanted" ] &&
  [ -x "$engine/bin/pulumi" ] && [ -x "$engine/bin/pulumi-language-nodejs" ] &&
  [ -x "$engine/bin/pulumi-resource-pulumi-nodejs" ] &&
  [ -d "$engine/home/plugins/resource-okta-v$okta_version" ]; then
  log "reusing $engine ($stamp_wanted)"
  exit 0
fi

# A wrapper module that requires MODULE@VERSION and repeats the non-local
# replace directives of MODULE's own go.mod (`go install m@v` refuses modules
# whose go.mod has replaces, and pulumi's pkg/v3 has one), then builds PACKAGE.
build_from_module() {
  local name="$1" module="$2" version="$3" package="$4" ldflags="$5" out="$6"
  local dir="$engine/build/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  local modfile
  modfile="$(cd "$engine/build" && go mod download -json "$module@$version" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      if (j.Error) { console.error(j.Error); process.exit(1); }
      console.log(j.GoMod);
    });')"
  {
    printf 'module aim.local/engine/%s\n\ngo 1.26\n\nrequire %s %s\n' "$name" "$module" "$version"
    go mod edit -json "$modfile" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        for (const r of JSON.parse(s).Replace ?? []) {
          if (r.New.Path.startsWith(".") || r.New.Path.startsWith("/")) continue; // local to that repo
          const oldV = r.Old.Version ? ` ${r.Old.Version}` : "";
          console.log(`replace ${r.Old.Path}${oldV} => ${r.New.Path} ${r.New.Version}`);
        }
      });'
  } >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" >"$dir/tools.go"
  log "building $package from $module@$version"
  (cd "$dir" && go mod tidy && go build -trimpath -ldflags "$ldflags" -o "$out" "$package")
}

version_ldflag() { printf -- '-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=%s' "$1"; }

started=$(date +%s)
log "Go $go_version; @pulumi/pulumi $pulumi_version; @pulumi/okta $okta_version"

# 1. The CLI, at exactly the version of the Node SDK.
build_from_module pulumi github.com/pulumi/pulumi/pkg/v3 "$pulumi_version" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$(version_ldflag "$pulumi_version")" "$engine/bin/pulumi"

# 2. The language host: the module of the same release if the proxy has one, else the fallback.
host_answer="$(proxy_versions "$host_module")"
release_time="$(cd "$engine/build" && go list -m -json "github.com/pulumi/pulumi/pkg/v3@$pulumi_version" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=new Date(JSON.parse(s).Time);console.log(t.toISOString().replace(/[-:T]/g,"").slice(0,14))})')"
host_version="$(printf '%s' "$host_answer" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    try { const v = (JSON.parse(s).Versions ?? []).find((x) => x.includes(process.argv[1])); if (v) console.log(v); } catch {}
  });' "$release_time")"
if [ -n "$host_version" ]; then
  host_source="$host_module@$host_version (the $pulumi_version release commit)"
  build_from_module language-nodejs "$host_module" "$host_version" "$host_module" \
    "$(version_ldflag "$pulumi_version")" "$engine/bin/pulumi-language-nodejs"
else
  host_source="github.com/pulumi/pulumi/sdk/v3@$host_fallback_version (the proxy does not serve $host_module: $(printf '%s' "$host_answer" | tr '\n' ' ' | sed 's/  */ /g' | cut -c1-300))"
  log "language host: $host_source"
  build_from_module language-nodejs github.com/pulumi/pulumi/sdk/v3 "$host_fallback_version" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "$(version_ldflag "$host_fallback_version")" "$engine/bin/pulumi-language-nodejs"
fi

# 3. The dynamic-provider launcher, exactly as the npm package ships it.
install -m 0755 node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs "$engine/bin/"

# 4. The Okta resource provider plugin, installed the way a user installs a local build.
export PULUMI_HOME="$engine/home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
okta_answer="$(proxy_versions "$okta_module")"
if printf '%s' "$okta_answer" | grep -q "\"v$okta_version\""; then
  # Never seen served here: the build (tfgen for the schema, then the binary,
  # with the upstream Terraform provider at its pseudo-version) is not written
  # until it can be run. Say so loudly rather than pretend.
  log "the proxy now serves $okta_module v$okta_version: build it as the provider's own Makefile does and replace the stand-in (see docs/engine.md)"
fi
okta_source="stand-in test/engine/okta-provider (the proxy does not serve $okta_module: $(printf '%s' "$okta_answer" | tr '\n' ' ' | sed 's/  */ /g' | cut -c1-300))"
log "okta plugin: $okta_source"
standin="$engine/build/okta-standin"
mkdir -p "$standin"
cat >"$standin/pulumi-resource-okta" <<EOF
#!/bin/sh
# Stand-in for the Okta provider plugin (see docs/engine.md): the real one cannot be built here.
exec node -r "$root/node_modules/ts-node/register/transpile-only" "$root/test/engine/okta-provider/main.ts" "\$@"
EOF
chmod 0755 "$standin/pulumi-resource-okta"
"$engine/bin/pulumi" plugin rm resource okta "$okta_version" --yes >/dev/null 2>&1 || true
"$engine/bin/pulumi" plugin install resource okta "$okta_version" --file "$standin/pulumi-resource-okta" >&2

elapsed=$(($(date +%s) - started))
node -e '
  const [file, stamp, pulumi, host, okta, go, secs] = process.argv.slice(1);
  require("fs").writeFileSync(file, JSON.stringify({ stamp, pulumi, languageHost: host, okta, go, buildSeconds: Number(secs) }, null, 2) + "\n");
' "$engine/versions.json" "$stamp_wanted" "$pulumi_version" "$host_source" "$okta_source" "$go_version" "$elapsed"
log "built in ${elapsed}s: $engine"
cat "$engine/versions.json" >&2
