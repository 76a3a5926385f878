#!/usr/bin/env node
// The `graft` command. Its code is built from src/cli into dist/cli (`npm install` builds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("graft: dist/ is missing; run 'npm run build' in the graft package first\n");
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
