#!/usr/bin/env bash
# System prerequisites: Java >= 17 and the gcloud CLI with its Firestore and Pub/Sub emulators
# (checked: they come from Google's own packages), and Debian's chromium + chromium-driver for
# the browser tests (installed when missing, as root).
set -euo pipefail
missing=()
# The local cloud stops what it started by process group and reads /proc to know what is its own.
[ -r /proc/self/stat ] || missing+=("Linux /proc (the local cloud reads it to stop only the processes it started)")
command -v java >/dev/null || missing+=("java (OpenJDK >= 17: apt-get install openjdk-17-jre-headless)")
command -v gcloud >/dev/null || missing+=("gcloud CLI (https://cloud.google.com/sdk/docs/install)")
if command -v gcloud >/dev/null; then
  sdk=$(dirname "$(readlink -f "$(command -v gcloud)")")/..
  [ -d "$sdk/platform/cloud-firestore-emulator" ] || missing+=("Firestore emulator (apt-get install google-cloud-cli-firestore-emulator, or gcloud components install cloud-firestore-emulator)")
  [ -d "$sdk/platform/pubsub-emulator" ] || missing+=("Pub/Sub emulator (apt-get install google-cloud-cli-pubsub-emulator, or gcloud components install pubsub-emulator)")
fi
if ((${#missing[@]})); then
  printf 'Missing prerequisites:\n'; printf '  - %s\n' "${missing[@]}"; exit 1
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium and chromium-driver for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/tmp/aduan-apt.log 2>&1 \
      || { echo "apt-get install chromium failed, see /tmp/aduan-apt.log"; exit 1; }
  else
    echo "Please install chromium and chromium-driver (sudo apt-get install chromium chromium-driver)"; exit 1
  fi
fi
