// A unittest runner that writes JUnit XML, so a project with only the standard library's unittest
// gets the same report as a pytest one. Written to the run's temp folder and run with the project's
// interpreter; it starts coverage itself (when installed and asked for) so the project's coverage
// configuration applies and Slipway's own files are left out of the measurement.

/** File names in the report folder: the runners import the recorder from there. */
export const RECORDER_FILE = 'slipway_junit.py';
export const UNITTEST_FILE = 'slipway_unittest.py';

/**
 * The result class both runners (unittest's and Django's) record with, and the JUnit writer. Each
 * case gets a readable classname and name (load errors and setUpClass errors included) and xunit1
 * `file`/`line` attributes: the test's own source, so the parser takes the failing line from the
 * traceback's frames in that file rather than from the standard library that raised.
 */
export const RECORDER = String.raw`
import inspect, os, re, sys, time, unittest
from xml.sax.saxutils import escape, quoteattr

FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.M)
HOLDER = re.compile(r"^(\w+) \((.+)\)$")
LIBRARY = re.compile(r"(^|/)(site-packages|dist-packages|\.venv|venv|\.tox|\.nox)/")
# Folders module names are relative to (discovery's start folders), besides the project's root.
roots = [os.getcwd()]

def project_file(path):
    """A path relative to the project, or None outside it or inside an environment."""
    if not path:
        return None
    rel = os.path.relpath(os.path.abspath(path), os.getcwd()).replace(os.sep, "/")
    if rel.startswith("../") or rel == ".." or os.path.isabs(rel) or LIBRARY.search(rel):
        return None
    return rel

def module_file(name):
    found = getattr(sys.modules.get(name), "__file__", None)
    if found:
        return project_file(found)
    parts = name.split(".")
    for root in roots:
        for candidate in (os.path.join(root, *parts) + ".py", os.path.join(root, *parts, "__init__.py")):
            if os.path.isfile(candidate):
                return project_file(candidate)
    return None

def class_location(cls, method):
    try:
        file = project_file(inspect.getsourcefile(cls))
        line = inspect.getsourcelines(getattr(cls, method))[1] if method and hasattr(cls, method) else None
        return file, line
    except (TypeError, OSError):
        return None, None

def deepest_line(text, file):
    """The last line of file in a traceback (an import error's text holds the import's own traceback)."""
    found = None
    for path, number in FRAME.findall(text or ""):
        if project_file(path) == file:
            found = int(number)
    return found

def describe(test, text):
    """(classname, name, file, line) as the report names a test."""
    kind = type(test).__name__
    if kind == "_FailedTest":  # a test module that failed to import or load
        module = test._testMethodName
        file = module_file(module)
        return module, "import " + module, file, deepest_line(text, file) if file else None
    if kind == "_ErrorHolder":  # "setUpClass (tests.test_views.ViewTestCase)", "setUpModule (tests.test_x)"
        match = HOLDER.match(test.description)
        if match:
            hook, owner = match.groups()
            module = owner if owner in sys.modules else owner.rpartition(".")[0]
            file = module_file(module)
            return owner, hook, file, deepest_line(text, file) if file else None
        return "", test.description, None, None
    if kind == "_SubTest":
        parent = test.test_case
        classname, _, name = parent.id().rpartition(".")
        file, line = class_location(type(parent), getattr(parent, "_testMethodName", ""))
        return classname, name + " " + test._subDescription(), file, line
    classname, _, name = test.id().rpartition(".")
    file, line = class_location(type(test), getattr(test, "_testMethodName", ""))
    return classname, name, file, line

class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
    def startTest(self, test):
        self._started = time.perf_counter()
        super().startTest(test)
    def _record(self, test, outcome, text=""):
        self.records.append((test, outcome, text, time.perf_counter() - getattr(self, "_started", time.perf_counter())))
    def addSuccess(self, test):
        super().addSuccess(test); self._record(test, "passed")
    def addFailure(self, test, err):
        super().addFailure(test, err); self._record(test, "failure", self._exc_info_to_string(err, test))
    def addError(self, test, err):
        super().addError(test, err); self._record(test, "error", self._exc_info_to_string(err, test))
    def addSubTest(self, test, subtest, err):
        # A failed subtest is its own case (the test itself then reports no success).
        super().addSubTest(test, subtest, err)
        if err is not None:
            outcome = "failure" if issubclass(err[0], test.failureException) else "error"
            self._record(subtest, outcome, self._exc_info_to_string(err, test))
    def addSkip(self, test, reason):
        super().addSkip(test, reason); self._record(test, "skipped", reason)
    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err); self._record(test, "passed")
    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test); self._record(test, "failure", "unexpected success")

def case_xml(test, outcome, text, seconds):
    classname, name, file, line = describe(test, text)
    head = "<testcase classname=%s name=%s" % (quoteattr(classname), quoteattr(name))
    if file:
        head += " file=%s" % quoteattr(file) + (' line="%d"' % line if line else "")
    head += ' time="%.3f"' % seconds
    if outcome == "passed":
        return head + "/>"
    first = (text.strip().splitlines() or [""])[-1] if outcome != "skipped" else text
    tag = {"failure": "failure", "error": "error", "skipped": "skipped"}[outcome]
    return head + "><%s message=%s>%s</%s></testcase>" % (tag, quoteattr(first), escape(text), tag)

def write_junit(path, records, suite="unittest"):
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name=%s tests="%d">\n' % (quoteattr(suite), len(records)))
        for record in records:
            out.write(case_xml(*record) + "\n")
        out.write("</testsuite></testsuites>\n")

def start_coverage(coverage_xml):
    """coverage.py with the project's configuration, measuring none of Slipway's files."""
    if not coverage_xml:
        return None
    import coverage
    cov = coverage.Coverage()
    own = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slipway_*")
    cov.set_option("run:omit", list(cov.get_option("run:omit") or []) + [own])
    cov.start()
    return cov

def finish_coverage(cov, coverage_xml):
    if cov:
        cov.stop(); cov.save()
        try:
            cov.xml_report(outfile=coverage_xml)
        except Exception as error:  # e.g. no data measured: the tests' verdict stands
            print("coverage: %s" % error, file=sys.stderr)
`;

/**
 * Discovery as `python -m unittest` does it (start folder `.`, pattern `test*.py`); a `tests`/`test`
 * folder without `__init__.py`, which that skips, is discovered from inside as
 * `python -m unittest discover -s tests` would.
 */
export const UNITTEST_RUNNER = String.raw`
import os, sys, unittest
import slipway_junit as junit

junit_path, coverage_xml = sys.argv[1], sys.argv[2]
cov = junit.start_coverage(coverage_xml)
sys.path.insert(0, os.getcwd())  # as "python -m unittest" puts the current folder first

suite = unittest.defaultTestLoader.discover(".")
for folder in ("tests", "test"):
    if os.path.isdir(folder) and not os.path.isfile(os.path.join(folder, "__init__.py")):
        junit.roots.append(os.path.abspath(folder))
        suite.addTests(unittest.TestLoader().discover(folder, top_level_dir=folder))
runner = unittest.TextTestRunner(resultclass=junit.Recorder, verbosity=2, stream=sys.stdout)
result = runner.run(suite)
junit.finish_coverage(cov, coverage_xml)
junit.write_junit(junit_path, result.records)
sys.exit(5 if result.testsRun == 0 else (0 if result.wasSuccessful() else 1))
`;
