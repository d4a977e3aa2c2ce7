#!/usr/bin/env bash
# Fuzzes the OTLP protobuf and JSON decoders and the normalizer (fuzz/, cargo-fuzz
# with libFuzzer) for a fixed time per target: FUZZ_SECONDS (default 60). Seeds
# are the recorded SDK payloads in ../shared/fixtures/otlp; what a target finds
# is left in fuzz/artifacts/<target>/ and the run fails. Installs what it needs:
# a nightly toolchain (libFuzzer needs -Z flags) and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in otlp_protobuf otlp_json; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  ext=$([ "$target" = otlp_json ] && echo json || echo pb)
  cp ../shared/fixtures/otlp/*."$ext" "$corpus"/
  printf '\n==> fuzzing %s for %s s\n' "$target" "$SECONDS_EACH"
  # Bodies up to 1 MiB, 2 GiB of memory at most (the server's limits are larger,
  # but a decoder that needs more than that for 1 MiB is a finding too).
  cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$SECONDS_EACH" -max_len=1048576 -rss_limit_mb=2048 -print_final_stats=1
done
