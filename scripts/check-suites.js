#!/usr/bin/env node
// Reads the jest and pytest results of scripts/test.sh, prints one closing line, and (with
// REQUIRE_SERVICES=1) fails when a required suite was skipped: the real Postgres/pgvector +
// NATS JetStream integration tests, or the training suite.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2] ?? 'test-artifacts';
const required = process.env.REQUIRE_SERVICES === '1';
const problems = [];
let passed = 0;
let failed = 0;
let skipped = 0;

const jestFile = path.join(dir, 'jest-results.json');
if (!fs.existsSync(jestFile)) problems.push('no jest results');
else {
  const jest = JSON.parse(fs.readFileSync(jestFile, 'utf8'));
  const all = jest.testResults.flatMap((f) => f.assertionResults);
  passed += all.filter((t) => t.status === 'passed').length;
  failed += all.filter((t) => t.status === 'failed').length + jest.numRuntimeErrorTestSuites;
  skipped += all.filter((t) => t.status === 'pending' || t.status === 'skipped').length;
  const services = all.filter((t) => t.ancestorTitles.some((a) => a === '[postgres+nats]'));
  const servicesPassed = services.filter((t) => t.status === 'passed').length;
  const servicesSkipped = services.filter((t) => t.status !== 'passed' && t.status !== 'failed').length;
  console.log(
    `[suites] postgres+nats integration: ${servicesPassed} passed, ${servicesSkipped} skipped of ${services.length}`,
  );
  if (required && (servicesPassed === 0 || servicesSkipped > 0))
    problems.push('the Postgres/pgvector + NATS suite was skipped');
}

const pyFile = path.join(dir, 'pytest.xml');
if (!fs.existsSync(pyFile)) {
  console.log('[suites] training: not run');
  if (required) problems.push('the training suite did not run');
} else {
  const xml = fs.readFileSync(pyFile, 'utf8');
  const attr = (name) => Number((new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(xml) ?? [])[1] ?? 0);
  const total = attr('tests');
  const pyFailed = attr('failures') + attr('errors');
  const pySkipped = attr('skipped');
  console.log(`[suites] training: ${total - pyFailed - pySkipped} passed, ${pyFailed} failed, ${pySkipped} skipped`);
  passed += total - pyFailed - pySkipped;
  failed += pyFailed;
  skipped += pySkipped;
  if (required && total - pyFailed - pySkipped === 0) problems.push('the training suite ran no test');
}

for (const p of problems) console.error(`[suites] REQUIRED SUITE PROBLEM: ${p}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length > 0 || failed > 0 ? 1 : 0);
