#!/usr/bin/env bash
# Debian packages the demo and tests use: Fashion-MNIST (dataset-fashion-mnist).
# Without root/apt the demo falls back to sklearn digits and says so.
set -u
DIR=/usr/share/datasets/fashion-mnist
if [ -d "$DIR" ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "NOTE: cannot install dataset-fashion-mnist (needs root and apt-get)." \
         "Run 'sudo apt-get install dataset-fashion-mnist' or pass IDX files with --source;" \
         "the demo falls back to sklearn digits." >&2
    exit 0
fi
echo "Installing Debian package dataset-fashion-mnist ..."
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; } >/tmp/mmssl_ext-apt.log 2>&1; then
    echo "NOTE: apt-get install dataset-fashion-mnist failed (log: /tmp/mmssl_ext-apt.log);" \
         "the demo falls back to sklearn digits." >&2
fi
exit 0
