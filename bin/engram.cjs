#!/usr/bin/env node
// The installed `engram` command: registers the TypeScript loader and runs the CLI.
require('tsx/cjs/api').register();
const { main } = require('../engine/cli/main.ts');
main(process.argv.slice(2)).then((code) => process.exit(code));
