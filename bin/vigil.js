#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `vigil scan … | head`: once the reader has gone, stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
