#!/bin/sh
# Packs what bench/gpu-check.mjs needs on the lent GPU machine into .device/ (ignored by .gitignore): a stripped,
# compressed copy of this node, and .device/pkg with the built package (dist/, the addon), bench/ and the
# runtime dependencies that dist/index.js imports (zod, cli-progress and its dependencies), about 35 MB.
# Then call the device tool with carry [".device"] and the command
#   xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node && export PATH=/tmp:$PATH && cd .device/pkg && node bench/gpu-check.mjs
# (see /work/shared/device/README.md). Run from the repository root after `npm run build` and the addon build.
set -eu
test -f build/Release/graft.node || { echo "build the addon first (npm install / node-gyp rebuild)"; exit 1; }
test -f dist/index.js || { echo "npm run build first"; exit 1; }
rm -rf .device/pkg
mkdir -p .device/pkg/build/Release .device/pkg/node_modules
if [ ! -f .device/node.xz ]; then
  cp "$(command -v node)" .device/node && strip .device/node && xz -T2 -f .device/node
fi
cp -r dist bench package.json .device/pkg/
cp build/Release/graft.node .device/pkg/build/Release/
for m in zod cli-progress string-width strip-ansi ansi-regex is-fullwidth-code-point emoji-regex; do
  cp -rL "node_modules/$m" .device/pkg/node_modules/
done
(cd .device/pkg && node -e "import('./dist/index.js').then(() => console.log('gpu-pack: dist/index.js imports'))")
du -sh .device
