#!/usr/bin/env node
/*
 * The selected fields of a related record, each through its field resolver, in the oracle's ourvtl adapter.
 * `ourvtl/suite.js` reads a relational field (`Blog.profile`) but not the fields a client selects on the record
 * it returns; this completes those cases with the adapter's own runField over the same flattened build.
 *
 *   node tests/ourvtl_related.js ORACLE_DIR < checks.json > results.json
 *
 * checks.json: [{"id", "buildDir", "typeName", "names", "record", "items", "authType", "identity", "headers"}]
 * Each result: {"id", "values": {name: value|null}, "denied": {name: {"errorType", "message"}}}.
 */
'use strict';
const fs = require('fs');
const path = require('path');

function main() {
  const oracle = process.argv[2];
  const { runField } = require(path.join(oracle, 'ourvtl', 'lib', 'run.js'));
  const { loadBuild, tableForType } = require(path.join(oracle, 'ourvtl', 'lib', 'stack.js'));
  const builds = new Map();
  const checks = JSON.parse(fs.readFileSync(0, 'utf8'));
  const results = checks.map((check) => {
    if (!builds.has(check.buildDir)) builds.set(check.buildDir, loadBuild(check.buildDir));
    const build = builds.get(check.buildDir);
    const tables = {};
    for (const item of check.items) {
      const table = tableForType(build, item.__typename);
      (tables[table] || (tables[table] = [])).push(JSON.parse(JSON.stringify(item)));
    }
    const values = {};
    const denied = {};
    for (const name of check.names) {
      const r = runField(build, {
        typeName: check.typeName, fieldName: name, authType: check.authType, identity: check.identity,
        headers: check.headers || {}, tables, source: check.record,
      });
      if (r.noResolver) {
        values[name] = check.record[name] === undefined ? null : check.record[name];
        continue;
      }
      values[name] = r.allowed ? r.result : null;
      if (!r.allowed) {
        const e = r.error || {};
        denied[name] = { errorType: e.errorType === undefined ? null : e.errorType, message: e.message === undefined ? null : e.message };
      }
    }
    return { id: check.id, values, denied };
  });
  process.stdout.write(JSON.stringify(results));
}

main();
