#!/usr/bin/env sh
# Rebuild ../static/editor.js, the exercise editor's front end, from the pinned npm packages.
# Only course maintainers run this (it needs Node and npm); learners use the committed file.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run build
