#!/usr/bin/env node
/*
 * Parse or render many VTL templates in the engine behind `amplify mock` (amplify-appsync-simulator's
 * amplify-velocity-template, through the oracle's lib/vtl.js), in one process.
 *
 *   node tests/vtl_simulator.js ORACLE_DIR < jobs.json > results.json
 *
 * jobs.json: [{"name": "...", "template": "...", "context": {...}}]; without "context" the template is only
 * parsed. Each result: {"name", "parses", "parseError", and for rendered jobs: "result", "raised",
 * "hadException", "invalidJson", "stash", "args", "extensions"}. $util.time reads 2024-01-01T00:00:00.000Z.
 */
'use strict';
const fs = require('fs');
// the clock both engines are given, so that timestamps compare
const NOW = '2024-01-01T00:00:00.000Z';
const path = require('path');

function main() {
  const oracle = process.argv[2];
  if (!oracle) {
    console.error('usage: node vtl_simulator.js ORACLE_DIR < jobs.json');
    process.exit(2);
  }
  const { renderVtl, setNow, SIM_DIR } = require(path.join(oracle, 'lib', 'vtl.js'));
  setNow(NOW);
  const { parse } = require(require.resolve('amplify-velocity-template', { paths: [SIM_DIR] }));
  const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
  const results = jobs.map((job) => {
    try {
      parse(job.template);
    } catch (e) {
      return { name: job.name, parses: false, parseError: String(e.message) };
    }
    if (!job.context) return { name: job.name, parses: true, parseError: null };
    const out = renderVtl(job.template, job.context, { templatePath: job.name, deterministicIds: true });
    return {
      name: job.name,
      parses: !out.parseError,
      parseError: out.parseError || null,
      result: out.result === undefined ? null : out.result,
      raised: out.raised || null,
      hadException: !!out.hadException,
      invalidJson: !!out.invalidJson,
      stash: out.stash,
      args: out.args,
      extensions: out.extensions || [],
    };
  });
  process.stdout.write(JSON.stringify(results));
}

main();
