#!/usr/bin/env bash
# A throwaway self-signed certificate for the loopback fakes (Entra must be HTTPS for @azure/identity).
# Tests trust it through NODE_EXTRA_CA_CERTS, which Node reads only when a process starts.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/.test-tls"
mkdir -p "$dir"
if [ -s "$dir/cert.pem" ] && openssl x509 -checkend 86400 -noout -in "$dir/cert.pem" >/dev/null 2>&1; then
  exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
chmod 600 "$dir/key.pem"
