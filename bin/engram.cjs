#!/usr/bin/env node
// The installed `engram` command: registers the TypeScript loader and runs the CLI.
require('tsx/cjs/api').register();
require('../engine/cli/main.ts').runAndExit(process.argv.slice(2));
