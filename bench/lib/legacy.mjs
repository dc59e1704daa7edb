// Generates `legacy/`: a deterministic body of old Python code that the linters read (and the tests
// never import), so linting costs about as much as it does in a real service with history.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `modules` files under `<root>/legacy/pkg_NN/`; every 4th one has a few lint findings. */
export function writeLegacyCode(root, modules) {
  const base = join(root, 'legacy');
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, '__init__.py'), '');
  for (let i = 0; i < modules; i++) {
    const pkg = join(base, `pkg_${String(Math.floor(i / 50)).padStart(2, '0')}`);
    if (i % 50 === 0) {
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, '__init__.py'), '');
    }
    writeFileSync(join(pkg, `mod_${String(i).padStart(4, '0')}.py`), legacyModule(i));
  }
}

function legacyModule(i) {
  const lines = ['"""Generated legacy module ' + i + '."""', 'import json', 'import math'];
  if (i % 4 === 0) lines.push('import os');
  lines.push('', '');
  for (let f = 0; f < 12; f++) {
    lines.push(
      `def transform_${f}(records, scale=${f + 1}):`,
      `    """Scales and filters records (variant ${f})."""`,
      '    out = []',
      '    for record in records:',
      `        value = record.get("value", 0) * scale + ${i % 7}`,
      '        if value > math.sqrt(abs(value) + 1):',
      '            out.append({"id": record.get("id"), "value": value})',
      '        elif record.get("keep"):',
      '            out.append(dict(record))'
    );
    if (i % 4 === 0 && f === 3) lines.push('    if out == None:', '        unused = json.dumps(out)');
    lines.push('    return out', '', '');
  }
  lines.push(`def dump_${i}(records):`, '    return json.dumps(transform_0(records), sort_keys=True)', '');
  return lines.join('\n');
}
