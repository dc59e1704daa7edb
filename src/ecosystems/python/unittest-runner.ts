// A unittest runner that writes JUnit XML, so a project with only the standard library's unittest
// gets the same report as a pytest one. Written to the run's temp folder and run with the project's
// interpreter; it starts coverage itself (when installed and asked for) so the project's coverage
// configuration applies and this file is left out of the measurement.
export const UNITTEST_RUNNER = String.raw`
import os, sys, time, traceback, unittest
from xml.sax.saxutils import escape, quoteattr

junit_path, coverage_xml = sys.argv[1], sys.argv[2]
cov = None
if coverage_xml:
    import coverage
    cov = coverage.Coverage()
    cov.set_option("run:omit", list(cov.get_option("run:omit") or []) + [os.path.abspath(__file__)])
    cov.start()

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
    def addSkip(self, test, reason):
        super().addSkip(test, reason); self._record(test, "skipped", reason)
    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err); self._record(test, "passed")
    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test); self._record(test, "failure", "unexpected success")

suite = unittest.defaultTestLoader.discover(".")
runner = unittest.TextTestRunner(resultclass=Recorder, verbosity=2, stream=sys.stdout)
result = runner.run(suite)
if cov:
    cov.stop(); cov.save(); cov.xml_report(outfile=coverage_xml)

def case_xml(test, outcome, text, seconds):
    test_id = test.id()
    classname, _, name = test_id.rpartition(".")
    head = "<testcase classname=%s name=%s time=\"%.3f\"" % (quoteattr(classname), quoteattr(name), seconds)
    if outcome == "passed":
        return head + "/>"
    first = (text.strip().splitlines() or [""])[-1] if outcome != "skipped" else text
    tag = {"failure": "failure", "error": "error", "skipped": "skipped"}[outcome]
    return head + "><%s message=%s>%s</%s></testcase>" % (tag, quoteattr(first), escape(text), tag)

records = result.records
with open(junit_path, "w", encoding="utf-8") as out:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="unittest" tests="%d">\n' % len(records))
    for record in records:
        out.write(case_xml(*record) + "\n")
    out.write("</testsuite></testsuites>\n")
sys.exit(5 if result.testsRun == 0 else (0 if result.wasSuccessful() else 1))
`;
