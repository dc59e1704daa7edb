// Loaded into the action's process with NODE_OPTIONS=--import (only when SLIPWAY_BENCH_TRACE names a
// file): records, with wall-clock timestamps, every child process (spawn → exit), every HTTP request
// (request → response end: the cache service's RPCs and the archive download) and when each stage line
// (`✓ install …`) is printed; written as JSON when the process exits. It patches the built-in modules
// before the bundle loads, so the bundle's own references see the wrappers. Cost: microseconds per event.
import { writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';

const file = process.env.SLIPWAY_BENCH_TRACE;
if (file) {
  const require = createRequire(import.meta.url);
  const now = () => performance.timeOrigin + performance.now();
  const trace = { origin: performance.timeOrigin, hook: now(), children: [], http: [], stages: [], exit: 0 };

  const cp = require('node:child_process');
  const spawn = cp.spawn;
  cp.spawn = function (...args) {
    const record = { cmd: String(args[0]), args: Array.isArray(args[1]) ? args[1].map(String) : [], start: now(), end: 0 };
    trace.children.push(record);
    const child = spawn.apply(this, args);
    child.once('exit', () => (record.end = now()));
    return child;
  };

  for (const name of ['node:http', 'node:https']) {
    const mod = require(name);
    const request = mod.request;
    mod.request = function (...args) {
      const record = { start: now(), end: 0 };
      trace.http.push(record);
      const req = request.apply(this, args);
      req.once('response', (res) => {
        res.once('end', () => (record.end ||= now()));
        res.once('close', () => (record.end ||= now()));
      });
      req.once('error', () => (record.end ||= now()));
      return req;
    };
  }
  syncBuiltinESMExports();

  const write = process.stdout.write;
  process.stdout.write = function (chunk, ...rest) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) {
      if (/^[✓✗!–] (install|test|lint|image|deploy) /.test(line)) trace.stages.push({ line, t: now() });
    }
    return write.call(this, chunk, ...rest);
  };

  // Optional V8 CPU profile of the whole run (`--cpu-prof` is not allowed in NODE_OPTIONS).
  const profileFile = process.env.SLIPWAY_BENCH_CPU_PROFILE;
  let session;
  if (profileFile) {
    const inspector = require('node:inspector');
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 250 });
    session.post('Profiler.start');
  }

  process.once('exit', () => {
    trace.exit = now();
    session?.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(profileFile, JSON.stringify(result.profile));
    });
    // CPU time of this node process alone (not its children): Slipway's own work, barely affected by
    // other load on the machine, unlike wall time.
    const cpu = process.cpuUsage();
    trace.cpuMs = (cpu.user + cpu.system) / 1000;
    for (const record of [...trace.children, ...trace.http]) record.end ||= trace.exit;
    writeFileSync(file, JSON.stringify(trace));
  });
}
