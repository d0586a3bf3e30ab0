#!/usr/bin/env node
// House rule: no source file in lib/ over 300 lines (specs aside).
// Usage: node scripts/check-file-sizes.mjs [maxLines]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const max = Number(process.argv[2] ?? 300);
if (!Number.isInteger(max) || max < 1) {
  console.error(`check-file-sizes: not a line count: ${process.argv[2]}`);
  process.exit(2);
}

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

const tooLong = [];
for (const file of sources(join(root, 'lib'))) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > max) tooLong.push(`  ${relative(root, file)}: ${lines} lines`);
}

if (tooLong.length > 0) {
  console.error(`Files in lib/ over ${max} lines (specs aside):\n${tooLong.sort().join('\n')}`);
  process.exit(1);
}
console.log(`check-file-sizes: every lib/ source file is within ${max} lines.`);
