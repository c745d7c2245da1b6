#!/usr/bin/env node
// The admin CLI. Builds dist/ first when it is missing (a fresh clone before `npm start`).
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist/src/cli/main.js');
if (!fs.existsSync(entry)) {
  require('node:child_process').execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
require(entry);
