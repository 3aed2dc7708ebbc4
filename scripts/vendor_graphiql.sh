#!/usr/bin/env bash
# Re-create app/static/graphiql/ (the GraphiQL page's scripts and styles, served by Roster
# itself so the page works without internet) from the npm registry, at the pinned versions
# below, and write its manifest.json: each file's sha256, which the page uses for Subresource
# Integrity and tests/e2e/test_graphiql_assets.py checks. Needs npm (only `npm pack`, which
# checks each tarball against the registry's integrity) and openssl/sha256sum.
#
# To upgrade: change a version, run this script, then the browser test
# (tests/e2e/test_graphiql_offline.py) and commit the whole folder.
set -euo pipefail
cd "$(dirname "$0")/.."

GRAPHIQL=3.8.3
REACT=18.2.0
EXPLORER=1.0.2  # @graphiql/plugin-explorer; its UMD build expects GraphiQL 3's globals
# The subscriptions' WebSocket client (graphql-transport-ws), global graphqlWs. GraphiQL's
# build has its own copy inside, but reachable only through its subscriptionUrl option, which
# cannot turn off retries: a refused key would be retried for half a minute
# (app/static/roster-graphiql.js).
GRAPHQL_WS=6.4.2

OUT=app/static/graphiql
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" \
  "@graphiql/plugin-explorer@$EXPLORER" "graphql-ws@$GRAPHQL_WS" >/dev/null)
for tarball in "$work"/*.tgz; do
  name="$(basename "$tarball" .tgz)"
  mkdir -p "$work/$name"
  tar xzf "$tarball" -C "$work/$name"
done

rm -rf "$OUT"
mkdir -p "$OUT"
# package@version/file: the version is in every URL, so the files can be cached for good.
put() {  # put <unpacked package> <file in it> <destination folder>
  mkdir -p "$OUT/$3"
  cp "$work/$1/package/$2" "$OUT/$3/"
}
put "react-$REACT" umd/react.production.min.js "react@$REACT"
put "react-$REACT" LICENSE "react@$REACT"
put "react-dom-$REACT" umd/react-dom.production.min.js "react-dom@$REACT"
put "react-dom-$REACT" LICENSE "react-dom@$REACT"
put "graphiql-$GRAPHIQL" graphiql.min.js "graphiql@$GRAPHIQL"
put "graphiql-$GRAPHIQL" graphiql.min.css "graphiql@$GRAPHIQL"
put "graphiql-$GRAPHIQL" LICENSE "graphiql@$GRAPHIQL"
put "graphiql-plugin-explorer-$EXPLORER" dist/index.umd.js "plugin-explorer@$EXPLORER"
put "graphiql-plugin-explorer-$EXPLORER" dist/style.css "plugin-explorer@$EXPLORER"
if [ -f "$work/graphiql-plugin-explorer-$EXPLORER/package/LICENSE" ]; then
  put "graphiql-plugin-explorer-$EXPLORER" LICENSE "plugin-explorer@$EXPLORER"
fi
put "graphql-ws-$GRAPHQL_WS" umd/graphql-ws.min.js "graphql-ws@$GRAPHQL_WS"
put "graphql-ws-$GRAPHQL_WS" LICENSE.md "graphql-ws@$GRAPHQL_WS"

# The manifest: versions, then every file's sha256 (hex), sorted by path.
{
  printf '{\n  "packages": {\n'
  printf '    "react": "%s",\n    "react-dom": "%s",\n' "$REACT" "$REACT"
  printf '    "graphiql": "%s",\n    "@graphiql/plugin-explorer": "%s",\n' "$GRAPHIQL" "$EXPLORER"
  printf '    "graphql-ws": "%s"\n  },\n' "$GRAPHQL_WS"
  printf '  "sha256": {\n'
  (cd "$OUT" && find . -type f ! -name manifest.json | sed 's|^\./||' | LC_ALL=C sort) |
    while read -r path; do
      printf '    "%s": "%s"\n' "$path" "$(sha256sum "$OUT/$path" | cut -d' ' -f1)"
    done | sed '$!s/$/,/'
  printf '  }\n}\n'
} > "$OUT/manifest.json"
echo "vendored into $OUT:"
cat "$OUT/manifest.json"
