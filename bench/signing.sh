#!/usr/bin/env bash
# Signing/verification throughput vs raw SHA-256 (1 KiB, 64 KiB, 1 MiB); prints MB/s and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -p hookbridge --bench signing "$@"
