#!/usr/bin/env node
// `npx c360 …` in a checkout: load the TypeScript sources (decorators, path aliases) and run the CLI.
'use strict';
const path = require('node:path');
require(path.join(__dirname, '..', '..', '..', 'scripts', 'register.cjs'));
require(path.join(__dirname, '..', 'src', 'main.ts'));
