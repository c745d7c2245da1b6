#!/usr/bin/env node
// The admin CLI; `npm run build` (or `npm start`) must have produced dist/ first.
require('../dist/src/cli/main.js');
