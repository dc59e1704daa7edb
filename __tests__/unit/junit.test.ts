// Table-driven tests of the JUnit parser over real pytest and unittest-xml-reporting output,
// plus fuzzing: no input may make it throw or produce impossible numbers.

import { describe, expect, test } from '@jest/globals';
import { mergeTestResults, parseJUnit } from '../../src/reports/junit.js';
import type { TestCase, TestResults } from '../../src/model.js';
import { byteString, expectSaneTestResults, mutations, pick, random, times, tokenSoup } from '../fixtures/fuzz.js';

const ROOT = '/home/runner/work/shop/shop';

// pytest 9.1 --junitxml (junit_family=xunit2, the default) on a small sample project.
const PYTEST_XUNIT2 = String.raw`<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="6" skipped="3" tests="16" time="0.227" timestamp="2026-11-22T00:39:38.187424+00:00" hostname="vm"><testcase classname="tests.test_core" name="test_add" time="0.002" /><testcase classname="tests.test_core" name="test_add_fails" time="0.002"><failure message="assert 3 == 4&#10; +  where 3 = add(1, 2)">def test_add_fails():
&gt;       assert add(1, 2) == 4
E       assert 3 == 4
E        +  where 3 = add(1, 2)

tests/test_core.py:10: AssertionError</failure></testcase><testcase classname="tests.test_core" name="test_divide_error" time="0.001"><failure message="ZeroDivisionError: b is zero">def test_divide_error():
&gt;       divide(1, 0)

tests/test_core.py:14: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

a = 1, b = 0

    def divide(a, b):
        if b == 0:
&gt;           raise ZeroDivisionError("b is zero")
E           ZeroDivisionError: b is zero

app/core.py:10: ZeroDivisionError</failure></testcase><testcase classname="tests.test_core" name="test_helper_deep" time="0.001"><failure message="AssertionError: x must be positive">def test_helper_deep():
&gt;       helper(-1)

tests/test_core.py:18: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 
app/core.py:15: in helper
    return check(x)
           ^^^^^^^^
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

x = -1

    def check(x):
&gt;       assert x &gt; 0, "x must be positive"
               ^^^^^
E       AssertionError: x must be positive

app/core.py:19: AssertionError</failure></testcase><testcase classname="tests.test_core" name="test_skipped" time="0.001"><skipped type="pytest.skip" message="not ready &lt;yet&gt; &amp; &quot;quoted&quot;">/home/runner/work/shop/shop/tests/test_core.py:21: not ready &lt;yet&gt; &amp; "quoted"</skipped></testcase><testcase classname="tests.test_core" name="test_fixture_error" time="0.001"><error message="failed on setup with &quot;RuntimeError: fixture exploded&quot;">@pytest.fixture
    def broken():
&gt;       raise RuntimeError("fixture exploded")
E       RuntimeError: fixture exploded

tests/test_core.py:28: RuntimeError</error></testcase><testcase classname="tests.test_core" name="test_param[1]" time="0.001" /><testcase classname="tests.test_core" name="test_param[\xfcn\xef]" time="0.001" /><testcase classname="tests.test_core" name="test_param[3]" time="0.002"><failure message="assert 3 != 3">x = 3

    @pytest.mark.parametrize("x", [1, "ünï", 3])
    def test_param(x):
&gt;       assert x != 3
E       assert 3 != 3

tests/test_core.py:37: AssertionError</failure></testcase><testcase classname="tests.test_core" name="test_xfail" time="0.001"><skipped type="pytest.xfail" message="known bug" /></testcase><testcase classname="tests.test_core.TestGroup" name="test_in_class" time="0.002"><failure message="AssertionError: assert 'a' == 'b'&#10;  &#10;  - b&#10;  + a">self = &lt;tests.test_core.TestGroup object at 0x7f4ed1f6a110&gt;

    def test_in_class(self):
&gt;       assert "a" == "b"
E       AssertionError: assert 'a' == 'b'
E         
E         - b
E         + a

tests/test_core.py:47: AssertionError</failure></testcase><testcase classname="tests.test_core.TestGroup" name="test_ok" time="0.001" /><testcase classname="tests.test_util.TestGreet" name="test_greet" time="0.002" /><testcase classname="tests.test_util.TestGreet" name="test_greet_fail" time="0.002"><failure message="AssertionError: 'héllo x' != 'hello x'&#10;- héllo x&#10;?  ^&#10;+ hello x&#10;?  ^">self = &lt;tests.test_util.TestGreet testMethod=test_greet_fail&gt;

    def test_greet_fail(self):
&gt;       self.assertEqual(greet("x"), "hello x")
E       AssertionError: 'héllo x' != 'hello x'
E       - héllo x
E       ?  ^
E       + hello x
E       ?  ^

tests/test_util.py:10: AssertionError</failure></testcase><testcase classname="tests.test_util.TestGreet" name="test_hi" time="0.001" /><testcase classname="tests.test_util.TestGreet" name="test_skip" time="0.001"><skipped type="pytest.skip" message="skipped by unittest">/home/runner/work/shop/shop/tests/test_util.py:12: skipped by unittest</skipped></testcase></testsuite></testsuites>`;

// The same run with -o junit_family=xunit1: testcases carry file and a 0-based line.
const PYTEST_XUNIT1 = String.raw`<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="6" skipped="3" tests="16" time="0.103" timestamp="2026-11-22T00:39:38.833229+00:00" hostname="vm"><testcase classname="tests.test_core" name="test_add" file="tests/test_core.py" line="4" time="0.001" /><testcase classname="tests.test_core" name="test_add_fails" file="tests/test_core.py" line="8" time="0.001"><failure message="assert 3 == 4&#10; +  where 3 = add(1, 2)">def test_add_fails():
&gt;       assert add(1, 2) == 4
E       assert 3 == 4
E        +  where 3 = add(1, 2)

tests/test_core.py:10: AssertionError</failure></testcase><testcase classname="tests.test_core" name="test_divide_error" file="tests/test_core.py" line="12" time="0.001"><failure message="ZeroDivisionError: b is zero">def test_divide_error():
&gt;       divide(1, 0)

tests/test_core.py:14: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

a = 1, b = 0

    def divide(a, b):
        if b == 0:
&gt;           raise ZeroDivisionError("b is zero")
E           ZeroDivisionError: b is zero

app/core.py:10: ZeroDivisionError</failure></testcase><testcase classname="tests.test_core" name="test_helper_deep" file="tests/test_core.py" line="16" time="0.001"><failure message="AssertionError: x must be positive">def test_helper_deep():
&gt;       helper(-1)

tests/test_core.py:18: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 
app/core.py:15: in helper
    return check(x)
           ^^^^^^^^
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

x = -1

    def check(x):
&gt;       assert x &gt; 0, "x must be positive"
               ^^^^^
E       AssertionError: x must be positive

app/core.py:19: AssertionError</failure></testcase><testcase classname="tests.test_core" name="test_skipped" file="tests/test_core.py" line="20" time="0.000"><skipped type="pytest.skip" message="not ready &lt;yet&gt; &amp; &quot;quoted&quot;">/home/runner/work/shop/shop/tests/test_core.py:21: not ready &lt;yet&gt; &amp; "quoted"</skipped></testcase><testcase classname="tests.test_core" name="test_fixture_error" file="tests/test_core.py" line="30" time="0.001"><error message="failed on setup with &quot;RuntimeError: fixture exploded&quot;">@pytest.fixture
    def broken():
&gt;       raise RuntimeError("fixture exploded")
E       RuntimeError: fixture exploded

tests/test_core.py:28: RuntimeError</error></testcase><testcase classname="tests.test_core" name="test_param[1]" file="tests/test_core.py" line="34" time="0.001" /><testcase classname="tests.test_core" name="test_param[\xfcn\xef]" file="tests/test_core.py" line="34" time="0.001" /><testcase classname="tests.test_core" name="test_param[3]" file="tests/test_core.py" line="34" time="0.001"><failure message="assert 3 != 3">x = 3

    @pytest.mark.parametrize("x", [1, "ünï", 3])
    def test_param(x):
&gt;       assert x != 3
E       assert 3 != 3

tests/test_core.py:37: AssertionError</failure></testcase><testcase classname="tests.test_core" name="test_xfail" file="tests/test_core.py" line="39" time="0.001"><skipped type="pytest.xfail" message="known bug" /></testcase><testcase classname="tests.test_core.TestGroup" name="test_in_class" file="tests/test_core.py" line="45" time="0.001"><failure message="AssertionError: assert 'a' == 'b'&#10;  &#10;  - b&#10;  + a">self = &lt;tests.test_core.TestGroup object at 0x7f9e909c5850&gt;

    def test_in_class(self):
&gt;       assert "a" == "b"
E       AssertionError: assert 'a' == 'b'
E         
E         - b
E         + a

tests/test_core.py:47: AssertionError</failure></testcase><testcase classname="tests.test_core.TestGroup" name="test_ok" file="tests/test_core.py" line="48" time="0.000" /><testcase classname="tests.test_util.TestGreet" name="test_greet" file="tests/test_util.py" line="5" time="0.001" /><testcase classname="tests.test_util.TestGreet" name="test_greet_fail" file="tests/test_util.py" line="8" time="0.001"><failure message="AssertionError: 'héllo x' != 'hello x'&#10;- héllo x&#10;?  ^&#10;+ hello x&#10;?  ^">self = &lt;tests.test_util.TestGreet testMethod=test_greet_fail&gt;

    def test_greet_fail(self):
&gt;       self.assertEqual(greet("x"), "hello x")
E       AssertionError: 'héllo x' != 'hello x'
E       - héllo x
E       ?  ^
E       + hello x
E       ?  ^

tests/test_util.py:10: AssertionError</failure></testcase><testcase classname="tests.test_util.TestGreet" name="test_hi" file="tests/test_util.py" line="15" time="0.001" /><testcase classname="tests.test_util.TestGreet" name="test_skip" file="tests/test_util.py" line="11" time="0.001"><skipped type="pytest.skip" message="skipped by unittest">/home/runner/work/shop/shop/tests/test_util.py:12: skipped by unittest</skipped></testcase></testsuite></testsuites>`;

// unittest-xml-reporting's layout (minidom, tab-indented, CDATA bodies), real unittest tracebacks.
const XMLRUNNER = String.raw`<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
	<testsuite name="tests.test_util.TestGreet" tests="4" file="tests/test_util.py" time="0.003" timestamp="2024-05-02T10:11:12" failures="1" errors="0" skipped="1">
		<testcase classname="tests.test_util.TestGreet" name="test_greet" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_util.py" line="6"/>
		<testcase classname="tests.test_util.TestGreet" name="test_greet_fail" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_util.py" line="9">
			<failure type="AssertionError" message="'héllo x' != 'hello x'
- héllo x
?  ^
+ hello x
?  ^
"><![CDATA[Traceback (most recent call last):
  File "/home/runner/work/shop/shop/tests/test_util.py", line 10, in test_greet_fail
    self.assertEqual(greet("x"), "hello x")
AssertionError: 'héllo x' != 'hello x'
- héllo x
?  ^
+ hello x
?  ^

]]></failure>
		</testcase>
		<testcase classname="tests.test_util.TestGreet" name="test_hi" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_util.py" line="16"/>
		<testcase classname="tests.test_util.TestGreet" name="test_skip" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_util.py" line="12">
			<skipped type="skip" message="skipped by unittest"/>
		</testcase>
	</testsuite>
</testsuites>`;

const XMLRUNNER_DEEP = String.raw`<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
	<testsuite name="tests.test_deep.TestDeep" tests="3" file="tests/test_deep.py" time="0.003" timestamp="2024-05-02T10:11:12" failures="1" errors="1" skipped="0">
		<testcase classname="tests.test_deep.TestDeep" name="test_divide" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_deep.py" line="6"/>
		<testcase classname="tests.test_deep.TestDeep" name="test_divide_by_zero" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_deep.py" line="9">
			<error type="ZeroDivisionError" message="b is zero"><![CDATA[Traceback (most recent call last):
  File "/home/runner/work/shop/shop/tests/test_deep.py", line 10, in test_divide_by_zero
    divide(1, 0)
  File "/home/runner/work/shop/shop/app/core.py", line 10, in divide
    raise ZeroDivisionError("b is zero")
ZeroDivisionError: b is zero
]]></error>
		</testcase>
		<testcase classname="tests.test_deep.TestDeep" name="test_helper" time="0.001" timestamp="2024-05-02T10:11:12" file="tests/test_deep.py" line="12">
			<failure type="AssertionError" message="x must be positive"><![CDATA[Traceback (most recent call last):
  File "/home/runner/work/shop/shop/tests/test_deep.py", line 13, in test_helper
    helper(-1)
  File "/home/runner/work/shop/shop/app/core.py", line 15, in helper
    return check(x)
           ^^^^^^^^
  File "/home/runner/work/shop/shop/app/core.py", line 19, in check
    assert x > 0, "x must be positive"
           ^^^^^
AssertionError: x must be positive
]]></failure>
		</testcase>
	</testsuite>
</testsuites>`;

// pytest 9.1 when a test module fails to import: an error testcase with an empty classname.
const PYTEST_COLLECTION_ERROR = String.raw`<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="0" skipped="0" tests="1" time="0.424" timestamp="2026-11-22T00:59:51.947339+00:00" hostname="vm"><testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">ImportError while importing test module '/home/runner/work/shop/shop/tests/test_broken.py'.
Hint: make sure your test modules/packages have valid Python names.
Traceback:
/root/.pyenv/versions/3.11.7/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
tests/test_broken.py:1: in &lt;module&gt;
    import nonexistent_module
E   ModuleNotFoundError: No module named 'nonexistent_module'</error></testcase></testsuite></testsuites>`;

// pytest < 5.1 wrote a bare <testsuite> root.
const PYTEST_LEGACY = String.raw`<?xml version="1.0" encoding="utf-8"?><testsuite errors="0" failures="1" name="pytest" skipped="0" tests="2" time="0.051"><testcase classname="tests.test_api" file="tests/test_api.py" line="3" name="test_ok" time="0.001"></testcase><testcase classname="tests.test_api" file="tests/test_api.py" line="7" name="test_bad" time="0.002"><failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2
E       assert 1 == 2

tests/test_api.py:9: AssertionError</failure></testcase></testsuite>`;

// jest-junit: classnames are descriptions, the stack names the file.
const JEST_JUNIT = String.raw`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.204">
  <testsuite name="math" errors="0" failures="1" skipped="0" timestamp="2024-05-02T10:11:12" time="0.52" tests="2">
    <testcase classname="math adds" name="math adds" time="0.002">
    </testcase>
    <testcase classname="math subtracts" name="math subtracts" time="0.004">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 1
Received: 2
    at Object.toBe (/home/runner/work/shop/shop/src/math.test.js:9:17)
    at Promise.then.completed (/home/runner/work/shop/shop/node_modules/jest-circus/build/utils.js:298:28)</failure>
    </testcase>
  </testsuite>
</testsuites>`;

function byName(results: TestResults, name: string): TestCase {
  const found = results.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no test case named ${name}`);
  return found;
}

describe('parseJUnit: counts', () => {
  test.each([
    ['pytest xunit2', PYTEST_XUNIT2, { total: 16, passed: 6, failed: 7, skipped: 3, durationMs: 227 }],
    ['pytest xunit1', PYTEST_XUNIT1, { total: 16, passed: 6, failed: 7, skipped: 3, durationMs: 103 }],
    ['unittest-xml-reporting', XMLRUNNER, { total: 4, passed: 2, failed: 1, skipped: 1, durationMs: 3 }],
    ['unittest-xml-reporting, errors', XMLRUNNER_DEEP, { total: 3, passed: 1, failed: 2, skipped: 0, durationMs: 3 }],
    ['legacy pytest root <testsuite>', PYTEST_LEGACY, { total: 2, passed: 1, failed: 1, skipped: 0, durationMs: 51 }],
    ['jest-junit', JEST_JUNIT, { total: 2, passed: 1, failed: 1, skipped: 0, durationMs: 1204 }],
    ['pytest collection error', PYTEST_COLLECTION_ERROR, { total: 1, passed: 0, failed: 1, skipped: 0, durationMs: 424 }]
  ])('%s', (_label, xml, expected) => {
    const { results, warnings } = parseJUnit(xml, { projectRoot: ROOT });
    expect(warnings).toEqual([]);
    expect(results).toMatchObject(expected);
    expect(results.cases).toHaveLength(expected.total);
  });

  test('counts come from the test cases, not from suite attributes that disagree', () => {
    const xml = `<testsuite name="s" tests="99" failures="50" errors="9" skipped="7">
      <testcase classname="a" name="one"/><testcase classname="a" name="two"><error message="boom"/></testcase>
    </testsuite>`;
    expect(parseJUnit(xml).results).toMatchObject({ total: 2, passed: 1, failed: 1, skipped: 0 });
  });

  test.each([
    [
      'root totals win over their children',
      `<testsuites tests="10" failures="2" errors="1" skipped="3" time="1.5"><testsuite tests="4" failures="1" errors="0" skipped="0" time="0.5"/><testsuite tests="6" failures="1" errors="1" skipped="3" time="1"/></testsuites>`,
      { total: 10, failed: 3, skipped: 3, passed: 4, durationMs: 1500 }
    ],
    [
      'children are summed when the root has none',
      `<testsuites><testsuite tests="4" failures="1" errors="0" skipped="0" time="0.5"/><testsuite tests="6" failures="1" errors="1" skipped="3" time="1.25"/></testsuites>`,
      { total: 10, failed: 3, skipped: 3, passed: 4, durationMs: 1750 }
    ],
    ['impossible attributes stay consistent', `<testsuite tests="1" failures="5" errors="-2" skipped="x"/>`, { total: 5, failed: 5, skipped: 0, passed: 0 }],
    [
      'an empty run',
      `<testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="0" time="0.01"/></testsuites>`,
      { total: 0, passed: 0, durationMs: 10 }
    ]
  ])('no testcase elements: %s', (_label, xml, expected) => {
    const { results, warnings } = parseJUnit(xml);
    expect(warnings).toEqual([]);
    expect(results).toMatchObject(expected);
    expect(results.cases).toEqual([]);
  });

  test('nested suites, and testsuites inside testsuite, are all read', () => {
    const xml = `<testsuites><testsuite name="root">
      <testcase classname="a" name="top"/>
      <testsuite name="child"><testcase classname="b" name="inner"><skipped message="later"/></testcase></testsuite>
      <testsuites><testsuite name="deep"><testcase classname="c" name="deepest"><failure message="no"/></testcase></testsuite></testsuites>
    </testsuite></testsuites>`;
    const { results } = parseJUnit(xml);
    expect(results.cases.map((c) => [c.name, c.outcome])).toEqual([
      ['top', 'passed'],
      ['inner', 'skipped'],
      ['deepest', 'failed']
    ]);
    expect(results).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
  });

  test('a failure followed by a teardown error is one failed test', () => {
    const xml = `<testsuite><testcase classname="t" name="x"><failure message="call"/><error message="teardown"/></testcase></testsuite>`;
    const { results } = parseJUnit(xml);
    expect(results).toMatchObject({ total: 1, failed: 1 });
    expect(results.cases[0]).toMatchObject({ outcome: 'failed', message: 'call' });
  });
});

describe('parseJUnit: where and why a test failed', () => {
  test.each([
    // name, file, line, outcome, message
    ['test_add', 'tests/test_core.py', undefined, 'passed', undefined],
    ['test_add_fails', 'tests/test_core.py', 10, 'failed', 'assert 3 == 4'],
    // The error is raised in app/core.py; the test's own frame is what to annotate.
    ['test_divide_error', 'tests/test_core.py', 14, 'failed', 'ZeroDivisionError: b is zero'],
    ['test_helper_deep', 'tests/test_core.py', 18, 'failed', 'AssertionError: x must be positive'],
    ['test_skipped', 'tests/test_core.py', 21, 'skipped', 'not ready <yet> & "quoted"'],
    ['test_fixture_error', 'tests/test_core.py', 28, 'error', 'failed on setup with "RuntimeError: fixture exploded"'],
    ['test_param[\\xfcn\\xef]', 'tests/test_core.py', undefined, 'passed', undefined],
    ['test_xfail', 'tests/test_core.py', undefined, 'skipped', 'known bug'],
    ['test_in_class', 'tests/test_core.py', 47, 'failed', "AssertionError: assert 'a' == 'b'"],
    ['test_greet_fail', 'tests/test_util.py', 10, 'failed', "AssertionError: 'héllo x' != 'hello x'"]
  ])('pytest xunit2 %s', (name, file, line, outcome, message) => {
    const found = byName(parseJUnit(PYTEST_XUNIT2, { projectRoot: ROOT }).results, name);
    expect(found).toMatchObject({ file, outcome });
    expect(found.line).toBe(line);
    expect(found.message).toBe(message);
  });

  test.each([
    // pytest writes 0-based lines; passing tests point at their definition (1-based).
    ['test_add', 5],
    ['test_ok', 49],
    ['test_fixture_error', 28],
    ['test_add_fails', 10],
    ['test_greet', 6]
  ])('pytest xunit1 %s is at line %d', (name, line) => {
    const found = byName(parseJUnit(PYTEST_XUNIT1, { projectRoot: ROOT }).results, name);
    expect(found.line).toBe(line);
    expect(found.file).toMatch(/^tests\/test_(core|util)\.py$/);
  });

  test.each([
    ['test_greet', 'tests/test_util.py', 6, 'passed', undefined],
    ['test_greet_fail', 'tests/test_util.py', 10, 'failed', "'héllo x' != 'hello x'"],
    ['test_skip', 'tests/test_util.py', 12, 'skipped', 'skipped by unittest']
  ])('unittest-xml-reporting %s', (name, file, line, outcome, message) => {
    const found = byName(parseJUnit(XMLRUNNER, { projectRoot: ROOT }).results, name);
    expect(found).toMatchObject({ file, line, outcome });
    expect(found.message).toBe(message);
  });

  test.each([
    ['test_divide_by_zero', 10, 'error', 'b is zero'],
    ['test_helper', 13, 'failed', 'x must be positive']
  ])('unittest traceback: %s fails at its own line %d', (name, line, outcome, message) => {
    const found = byName(parseJUnit(XMLRUNNER_DEEP, { projectRoot: ROOT }).results, name);
    expect(found).toMatchObject({ file: 'tests/test_deep.py', line, outcome, message });
    expect(found.details).toContain('Traceback (most recent call last):');
    expect(found.details).toContain('app/core.py", line ');
  });

  test('a module that fails to import points at its import line', () => {
    const found = parseJUnit(PYTEST_COLLECTION_ERROR, { projectRoot: ROOT }).results.cases[0];
    expect(found).toMatchObject({
      name: 'tests.test_broken',
      classname: '',
      outcome: 'error',
      file: 'tests/test_broken.py',
      line: 1,
      message: 'collection failure'
    });
    expect(found?.details).toContain("ModuleNotFoundError: No module named 'nonexistent_module'");
  });

  test('the full failure text is kept as details', () => {
    const found = byName(parseJUnit(PYTEST_XUNIT2).results, 'test_helper_deep');
    expect(found.details).toContain('app/core.py:15: in helper');
    expect(found.details).toContain('assert x > 0, "x must be positive"');
    expect(found.durationMs).toBe(1);
  });

  test('without a projectRoot, absolute frame paths still match the test file', () => {
    const found = byName(parseJUnit(XMLRUNNER_DEEP).results, 'test_helper');
    expect(found).toMatchObject({ file: 'tests/test_deep.py', line: 13 });
  });

  test('paths are made relative to the repository when the project is a subdirectory', () => {
    const xml = XMLRUNNER_DEEP.replaceAll(ROOT, `${ROOT}/backend`);
    const { results } = parseJUnit(xml, { projectRoot: `${ROOT}/backend`, repositoryRoot: ROOT });
    expect(byName(results, 'test_helper')).toMatchObject({ file: 'backend/tests/test_deep.py', line: 13 });
    expect(byName(results, 'test_divide')).toMatchObject({ file: 'backend/tests/test_deep.py', line: 6 });
  });

  test('a relative projectRoot prefixes relative paths', () => {
    const { results } = parseJUnit(PYTEST_XUNIT2, { projectRoot: 'services/api' });
    expect(byName(results, 'test_add_fails')).toMatchObject({ file: 'services/api/tests/test_core.py', line: 10 });
  });

  test('jest stack traces give the file and line, skipping node_modules', () => {
    const found = byName(parseJUnit(JEST_JUNIT, { projectRoot: ROOT }).results, 'math subtracts');
    expect(found).toMatchObject({ file: 'src/math.test.js', line: 9, message: 'Error: expect(received).toBe(expected) // Object.is equality' });
    expect(byName(parseJUnit(JEST_JUNIT).results, 'math adds').file).toBeUndefined();
  });

  test.each([
    [
      'the last frame in the test module, not the library that raised',
      'tests.test_orders.TestCheckout',
      `Traceback (most recent call last):
  File "/home/runner/work/shop/shop/tests/test_orders.py", line 31, in test_total
    self.assertEqual(total(cart), 10)
  File "/home/runner/work/shop/shop/shop/orders.py", line 12, in total
    return sum(item.price for item in cart)
  File "/home/runner/work/shop/shop/.venv/lib/python3.12/site-packages/money/core.py", line 88, in __add__
    raise TypeError("currency mismatch")
TypeError: currency mismatch`,
      { file: 'tests/test_orders.py', line: 31 }
    ],
    [
      'the last project frame when the classname is not a module',
      'TestCheckout',
      `Traceback (most recent call last):
  File "/home/runner/work/shop/shop/shop/orders.py", line 12, in total
    return sum(item.price for item in cart)
  File "/usr/lib/python3.12/decimal.py", line 5, in add
    raise TypeError("x")
TypeError: x`,
      { file: 'shop/orders.py', line: 12 }
    ],
    [
      'the classname as a last resort',
      'tests.unit.test_cart.TestCart',
      'AssertionError: no traceback here',
      { file: 'tests/unit/test_cart.py', line: undefined }
    ],
    ['no file for a classname that is not a module path', 'Cart totals', 'boom', { file: undefined, line: undefined }],
    [
      'the project frame of an import error, not the standard library the classname names',
      'unittest.loader._FailedTest.tests',
      `ImportError: Failed to import test module: tests.test_broken
Traceback (most recent call last):
  File "/opt/python/3.11.7/lib/python3.11/unittest/loader.py", line 419, in _find_test_path
    module = self._get_module_from_name(name)
  File "/opt/python/3.11.7/lib/python3.11/unittest/loader.py", line 362, in _get_module_from_name
    __import__(name)
  File "/home/runner/work/shop/shop/tests/test_broken.py", line 3, in <module>
    from pricing import with_discount
ImportError: cannot import name 'with_discount' from 'pricing'`,
      { file: 'tests/test_broken.py', line: 3 }
    ],
    [
      'the deepest project frame of an import error raised in a project module it imports',
      'unittest.loader._FailedTest.tests',
      `Traceback (most recent call last):
  File "/opt/python/3.11.7/lib/python3.11/unittest/loader.py", line 362, in _get_module_from_name
    __import__(name)
  File "/home/runner/work/shop/shop/tests/test_broken.py", line 3, in <module>
    import shop.settings
  File "/home/runner/work/shop/shop/shop/settings.py", line 9, in <module>
    raise KeyError("SECRET")
KeyError: 'SECRET'`,
      { file: 'shop/settings.py', line: 9 }
    ]
  ])('derives the location from %s', (_label, classname, body, expected) => {
    const xml = `<testsuite><testcase classname="${classname}" name="t"><failure><![CDATA[${body}]]></failure></testcase></testsuite>`;
    const found = parseJUnit(xml, { projectRoot: ROOT }).results.cases[0];
    expect(found?.file).toBe(expected.file);
    expect(found?.line).toBe(expected.line);
  });

  test.each([
    // Slipway's unittest and Django runners: load and class-setup errors named as such, with the file.
    ['tests.test_broken', 'import tests.test_broken', 'file="tests/test_broken.py" line="3"', { file: 'tests/test_broken.py', line: 3 }],
    ['tests.test_setup.CatalogueTest', 'setUpClass', 'file="tests/test_setup.py" line="7"', { file: 'tests/test_setup.py', line: 7 }],
    ['test_broken', 'import test_broken', 'file="tests/test_broken.py"', { file: 'tests/test_broken.py', line: 3 }]
  ])('a runner error %s / %s keeps its names and is placed in its own file', (classname, name, location, expected) => {
    const body = `Traceback (most recent call last):
  File "/opt/python/3.11.7/lib/python3.11/unittest/loader.py", line 362, in _get_module_from_name
    __import__(name)
  File "${ROOT}/tests/test_broken.py", line 3, in &lt;module&gt;
    from pricing import with_discount
  File "${ROOT}/tests/test_setup.py", line 7, in setUpClass
    raise RuntimeError("catalogue unavailable")
RuntimeError: boom`;
    const xml = `<testsuite name="unittest"><testcase classname="${classname}" name="${name}" ${location}><error message="RuntimeError: boom">${body}</error></testcase></testsuite>`;
    const found = parseJUnit(xml, { projectRoot: ROOT }).results.cases[0];
    expect(found).toMatchObject({ classname, name, outcome: 'error', ...expected });
  });

  test('the traceback line wins over a def line in the file attribute only for the same file', () => {
    const xml = `<testsuite><testcase classname="tests.test_a" name="t" file="tests/test_a.py" line="4"><failure><![CDATA[tests/helpers.py:20: in check
    assert False
tests/test_a.py:7: in t
    check()
E   AssertionError]]></failure></testcase></testsuite>`;
    // Frames: helpers.py:20 comes first in this (reordered) body, the own file's frame is used.
    expect(parseJUnit(xml).results.cases[0]).toMatchObject({ file: 'tests/test_a.py', line: 7 });
  });

  test('windows paths in tracebacks', () => {
    const xml = `<testsuite><testcase classname="tests.test_win" name="t"><failure><![CDATA[Traceback (most recent call last):
  File "D:\\a\\shop\\shop\\tests\\test_win.py", line 8, in t
    assert 0
AssertionError]]></failure></testcase></testsuite>`;
    const found = parseJUnit(xml, { projectRoot: 'D:\\a\\shop\\shop' }).results.cases[0];
    expect(found).toMatchObject({ file: 'tests/test_win.py', line: 8 });
  });
});

describe('parseJUnit: text', () => {
  test.each([
    ['entities in the message attribute', `<failure message="a &lt; b &amp;&amp; c&#10;second line"/>`, 'a < b && c'],
    ['an escaped entity stays literal', `<failure message="x &amp;#10; y"/>`, 'x &#10; y'],
    ['the body when there is no message', `<failure>\n\n   first real line\nsecond</failure>`, 'first real line'],
    ['CDATA bodies, including a split ]]>', `<failure><![CDATA[one ]]]]><![CDATA[> <b>two</b>]]></failure>`, 'one ]]> <b>two</b>'],
    ['an empty message attribute falls back to the body', `<error message="">E   KeyError: 'id'</error>`, "E   KeyError: 'id'"],
    ['unicode', `<failure message="ошибка: 名前 ✗ 🚀"/>`, 'ошибка: 名前 ✗ 🚀']
  ])('%s', (_label, element, message) => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite><testcase classname="tests.test_ü" name="tëst_名前">${element}</testcase></testsuite></testsuites>`;
    const found = parseJUnit(xml).results.cases[0];
    expect(found?.message).toBe(message);
    expect(found?.name).toBe('tëst_名前');
  });

  test('a byte order mark and comments are fine', () => {
    const xml = `\uFEFF<?xml version="1.0"?><!-- generated --><testsuite><!-- doc --><testcase name="a" classname="m"/></testsuite><!-- end -->`;
    expect(parseJUnit(xml)).toEqual({ results: expect.objectContaining({ total: 1, passed: 1 }), warnings: [] });
  });

  test.each([
    ['0.227', 227],
    ['1,234.5', 1234500],
    ['0,5', 500],
    ['', 0],
    ['abc', 0],
    ['-1', 0],
    ['1e400', 0],
    ['NaN', 0]
  ])('time "%s" is %d ms', (time, ms) => {
    const { results } = parseJUnit(`<testsuite><testcase name="a" time="${time}"/></testsuite>`);
    expect(results.cases[0]?.durationMs).toBe(ms);
    expect(results.durationMs).toBe(ms);
  });
});

describe('parseJUnit: bad input never throws', () => {
  test.each([
    ['empty', '', /empty/],
    ['blank', '  \n\t', /empty/],
    ['not XML', 'collected 0 items\nno tests ran in 0.01s', /no <testsuites> or <testsuite> root/],
    ['another XML document', '<coverage line-rate="0.5"/>', /found <coverage>/],
    ['HTML', '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', /root/],
    ['an unclosed attribute', '<testsuite name="x><testcase/></testsuite>', /not valid XML/],
    ['prototype pollution names', '<testsuite><constructor/><testcase name="__proto__"/></testsuite>', /not valid XML/],
    ['nesting beyond reason', '<testsuite>'.repeat(500), /not valid XML/]
  ])('%s', (_label, xml, warning) => {
    const { results, warnings } = parseJUnit(xml);
    expect(results).toMatchObject({ total: 0, passed: 0, failed: 0, skipped: 0, cases: [] });
    expect(warnings.join('\n')).toMatch(warning);
  });

  test('a truncated report keeps the complete test cases and warns', () => {
    const cut = PYTEST_XUNIT2.slice(0, PYTEST_XUNIT2.indexOf('name="test_param[1]"'));
    const { results, warnings } = parseJUnit(cut, { projectRoot: ROOT });
    expect(warnings.join()).toMatch(/truncated/);
    expect(results.cases.map((c) => c.name)).toContain('test_fixture_error');
    expect(results.total).toBe(results.cases.length);
  });

  test.each([
    ['a run of comments after the root, then junk', `<testsuite><testcase name="a"/></testsuite>${'<!-- c -->'.repeat(40)}x`],
    ['a run of comments and no root', `${'<!-- c -->'.repeat(5000)}`],
    ['a frame-like line full of parentheses', `<testsuite><testcase name="a"><failure>    at ${'('.repeat(999)}</failure></testcase></testsuite>`],
    ['a failure body of 200,000 short lines', `<testsuite><testcase name="a"><failure>${'x.py:1: y\n'.repeat(200_000)}</failure></testcase></testsuite>`]
  ])('pathological input is read without catastrophic backtracking: %s', (_label, xml) => {
    const { results, warnings } = parseJUnit(xml);
    expectSane(results, warnings);
  });

  test.each([null, undefined, 42, {}])('a non-string (%p) from untyped callers', (value) => {
    const { results, warnings } = parseJUnit(value as unknown as string);
    expect(results.total).toBe(0);
    expect(warnings.length).toBe(1);
  });
});

describe('mergeTestResults', () => {
  test('adds counts and durations, keeps every case', () => {
    const a = parseJUnit(PYTEST_XUNIT2).results;
    const b = parseJUnit(XMLRUNNER).results;
    const merged = mergeTestResults([a, b]);
    expect(merged).toMatchObject({ total: 20, passed: 8, failed: 8, skipped: 4, durationMs: 230 });
    expect(merged.cases).toHaveLength(20);
    expect(a.total).toBe(16); // inputs untouched
  });

  test('of nothing is empty', () => {
    expect(mergeTestResults([])).toEqual({ passed: 0, failed: 0, skipped: 0, total: 0, durationMs: 0, cases: [] });
  });
});

describe('parseJUnit: scale', () => {
  test('50,000 test cases are read whole', () => {
    const cases: string[] = [];
    for (let i = 0; i < 50_000; i += 1) {
      const module = `tests.test_mod${i % 500}`;
      if (i % 100 === 0) {
        cases.push(`<testcase classname="${module}" name="test_${i}" time="0.001"><failure message="assert ${i} == 0">def test_${i}():
&gt;       assert ${i} == 0
E       assert ${i} == 0

tests/test_mod${i % 500}.py:${(i % 90) + 2}: AssertionError</failure></testcase>`);
      } else if (i % 37 === 0) {
        cases.push(
          `<testcase classname="${module}" name="test_${i}" time="0.000"><skipped type="pytest.skip" message="slow">${ROOT}/tests/x.py:3: slow</skipped></testcase>`
        );
      } else {
        cases.push(`<testcase classname="${module}" name="test_${i}" time="0.002" />`);
      }
    }
    const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="500" skipped="1" tests="50000" time="98.7">${cases.join('')}</testsuite></testsuites>`;
    const { results, warnings } = parseJUnit(xml, { projectRoot: ROOT });
    expect(warnings).toEqual([]);
    expect(results.total).toBe(50_000);
    expect(results.failed).toBe(500);
    expect(results.skipped).toBe(Array.from({ length: 50_000 }, (_, i) => i).filter((i) => i % 100 !== 0 && i % 37 === 0).length);
    expect(results.cases[100]).toMatchObject({ file: 'tests/test_mod100.py', line: 12 });
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: deterministic pseudo-random inputs; the parser must never throw and its numbers must
// always be finite, non-negative and consistent.

const XMLISH = [
  '<',
  '>',
  '/',
  '"',
  "'",
  '=',
  '&',
  ';',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?xml',
  '?>',
  '&#10;',
  '&#xFFFF;',
  '&amp;',
  'testsuites',
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'tests="',
  'time="',
  'line="',
  'file="',
  'classname="',
  ' ',
  '\n',
  '1',
  '-1',
  '1e999',
  'NaN',
  '0.5',
  '\u0000',
  '\uFFFE',
  '🚀',
  'é',
  '__proto__',
  'constructor',
  'File "',
  '", line ',
  ':12: '
];

/** The fuzz properties; JUnit totals may come from suite attributes alone, without testcase elements. */
function expectSane(results: TestResults, warnings: string[]): void {
  expectSaneTestResults(results, warnings, { countsWithoutCases: true });
}

describe('parseJUnit: fuzz', () => {
  const fixtures = [PYTEST_XUNIT2, PYTEST_XUNIT1, XMLRUNNER, XMLRUNNER_DEEP, PYTEST_LEGACY, JEST_JUNIT, PYTEST_COLLECTION_ERROR];

  test('2,000 mutations of real reports', () => {
    for (const xml of mutations(fixtures, 2000, random(1), { tokens: XMLISH })) {
      const { results, warnings } = parseJUnit(xml, { projectRoot: ROOT });
      expectSane(results, warnings);
    }
  });

  test('every truncation point of a report', () => {
    for (let cut = 0; cut <= XMLRUNNER_DEEP.length; cut += 1) {
      const { results, warnings } = parseJUnit(XMLRUNNER_DEEP.slice(0, cut));
      expectSane(results, warnings);
      if (cut < XMLRUNNER_DEEP.length) expect(warnings.length).toBeGreaterThan(0);
    }
  });

  test('1,000 random XML-ish token soups and 500 random byte strings', () => {
    const next = random(2);
    for (const tokens of times(1000, () => tokenSoup(next, XMLISH))) {
      const { results, warnings } = parseJUnit(tokens);
      expectSane(results, warnings);
    }
    for (const bytes of times(500, () => byteString(next))) {
      const { results, warnings } = parseJUnit(bytes);
      expectSane(results, warnings);
    }
  });

  test('random attribute values in a well-formed report', () => {
    const next = random(3);
    const values = ['', '0', '-0', '-5', '3.7', '1e308', '9'.repeat(400), 'NaN', 'Infinity', '0x10', ' 7 ', '1,5', '१२'];
    const value = () => pick(next, values);
    for (let i = 0; i < 500; i += 1) {
      const xml = `<testsuites tests="${value()}" time="${value()}"><testsuite tests="${value()}" failures="${value()}" errors="${value()}" skipped="${value()}" time="${value()}">${
        next() < 0.5 ? `<testcase name="a" time="${value()}" line="${value()}"/><testcase name="b" time="${value()}"><failure/></testcase>` : ''
      }</testsuite><testsuite tests="${value()}" failures="${value()}" time="${value()}"/></testsuites>`;
      const { results, warnings } = parseJUnit(xml);
      expectSane(results, warnings);
    }
  });
});
