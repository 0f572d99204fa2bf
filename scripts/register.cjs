// Loads TypeScript sources at run time: swc with decorator metadata, tsconfig paths.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT ?? path.join(__dirname, '..', 'tsconfig.json');
require('reflect-metadata');
require('@swc-node/register');
