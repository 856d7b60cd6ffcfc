#!/usr/bin/env bash
# Starts the built bot (npm start) on a free port and waits for /healthz, as an operator's deployment would.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
data=$(mktemp -d)
PORT=$port HOST=127.0.0.1 LOG_LEVEL=warn DATA_DIR="$data" \
  AAD_APP_CLIENT_ID=00000000-0000-0000-0000-00000000c11e AAD_APP_TENANT_ID=00000000-0000-0000-0000-0000000000a1 \
  AAD_APP_CLIENT_SECRET=smoke setsid npm start --silent >"$data/out.log" 2>&1 &
pid=$!
# npm start runs node as a child: stop the whole process group, not just npm.
trap 'kill -- -$pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    echo "smoke: npm start answered /healthz on port $port"
    exit 0
  fi
  if ! kill -0 $pid 2>/dev/null; then break; fi
  sleep 0.1
done
echo "smoke: the built bot did not become healthy" >&2
cat "$data/out.log" >&2
exit 1
