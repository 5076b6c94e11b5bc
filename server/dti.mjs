#!/usr/bin/env node
// The `dti` command: runs the TypeScript sources through tsx, so no build step stands between a clone and a run.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
