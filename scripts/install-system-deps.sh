#!/usr/bin/env bash
# Installs the system packages the assistant needs, where apt is available.
# espeak-ng speaks the replies, portaudio19-dev lets PyAudio build (microphone),
# libsndfile1 reads audio files, alsa-utils gives `amixer` for the volume skill,
# tzdata is the time zone database Python's zoneinfo reads ("what time is it in Tokyo",
# `timezone = "Asia/Shanghai"`; slim images may leave it out). mosquitto is the MQTT broker the
# events tests start (intents as events, docs/skills.md). gcc and python3-dev build PyAudio and
# the compiled matcher (assistant/native.py).
set -euo pipefail
PKGS=(espeak-ng libespeak-ng1 portaudio19-dev libsndfile1 alsa-utils tzdata mosquitto gcc python3-dev)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install espeak-ng (or use your system's voices), portaudio and libsndfile yourself" >&2
  exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "need root to install: ${missing[*]}" >&2; exit 1; fi
fi
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
