// Django's own test runner (settings, apps, the test database created and destroyed as
// `manage.py test` does) with the JUnit report and coverage of Slipway's unittest runner. Whether
// the project is a Django one is read from its files when the tests run, never from a cached probe:
// manage.py can appear without the environment changing.

export const DJANGO_LAUNCHER_FILE = 'slipway_django.py';
export const DJANGO_RUNNER_FILE = 'slipway_django_runner.py';

/**
 * argv: junit path, coverage XML path (or ''), mode (`django`: Django's runner; `pytest-django`:
 * the command after `--` with the settings pytest-django would otherwise miss; `auto`: whichever of
 * them is installed), `--`, the command
 * (interpreter arguments) that runs the tests when the project turns out not to be a Django one.
 */
export const DJANGO_LAUNCHER = String.raw`
import configparser, os, re, runpy, subprocess, sys

junit_path, coverage_xml, mode = sys.argv[1], sys.argv[2], sys.argv[3]
fallback = sys.argv[sys.argv.index("--") + 1:]
SETTING = re.compile(r"""^\s*DJANGO_SETTINGS_MODULE\s*=\s*["']?([\w.]+)""", re.M)

def ini_value(name, section):
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(name, encoding="utf-8")
    except configparser.Error:
        return False, None
    if not parser.has_section(section):
        return False, None
    return True, parser.get(section, "DJANGO_SETTINGS_MODULE", fallback=None)

def pyproject_value():
    with open("pyproject.toml", encoding="utf-8") as handle:
        text = handle.read()
    try:
        import tomllib
        options = tomllib.loads(text).get("tool", {}).get("pytest", {}).get("ini_options")
        if options is None:
            return False, None
        return True, options.get("DJANGO_SETTINGS_MODULE")
    except ImportError:  # before Python 3.11: read the section's line
        start = text.find("[tool.pytest.ini_options]")
        if start < 0:
            return False, None
        found = SETTING.search(text[start:].split("\n[", 1)[0])
        return True, found.group(1) if found else None
    except ValueError:
        return False, None

def pytest_settings():
    """DJANGO_SETTINGS_MODULE from the pytest configuration pytest itself would read (first found)."""
    if os.path.isfile("pytest.ini"):
        return ini_value("pytest.ini", "pytest")[1]
    if os.path.isfile("pyproject.toml"):
        found, value = pyproject_value()
        if found:
            return value
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        if os.path.isfile(name):
            found, value = ini_value(name, section)
            if found:
                return value
    return None

def manage_settings():
    """The settings manage.py sets: os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")."""
    with open("manage.py", encoding="utf-8") as handle:
        found = re.search(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""", handle.read())
    return found.group(1) if found else None

def run(command):
    sys.exit(subprocess.call([sys.executable] + command))

if mode == "auto":  # the environment's record did not say which of them is installed
    import importlib.util
    installed = lambda name: importlib.util.find_spec(name) is not None
    mode = "pytest-django" if installed("pytest_django") and "pytest" in fallback else "django" if installed("django") else ""
has_manage = os.path.isfile("manage.py")
configured = pytest_settings()
if not mode or not (has_manage or configured):
    run(fallback)
if mode == "pytest-django":
    # pytest-django reads the environment and the pytest configuration, never manage.py.
    given = os.environ.get("DJANGO_SETTINGS_MODULE") or configured
    settings = None if given or not has_manage else manage_settings()
    run(fallback + (["--ds=" + settings] if settings else []))

import slipway_junit as junit
import slipway_django_runner as runner

runner.JUNIT_PATH = junit_path
cov = junit.start_coverage(coverage_xml)
sys.path.insert(0, os.getcwd())  # as "python manage.py" puts the project first
args = ["test", "--testrunner", "slipway_django_runner.Runner", "--noinput", "-v", "2"]
code = 0
try:
    if has_manage:
        sys.argv = ["manage.py"] + args
        runpy.run_path("manage.py", run_name="__main__")
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", configured)
        from django.core.management import execute_from_command_line
        execute_from_command_line(["django-admin"] + args)
except SystemExit as stop:
    if isinstance(stop.code, str):
        print(stop.code, file=sys.stderr)
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
finally:
    junit.finish_coverage(cov, coverage_xml)
if code == 0 and runner.RESULT is not None and runner.RESULT.testsRun == 0:
    code = 5  # nothing ran: the same code as pytest's and the unittest runner's
sys.exit(code)
`;

/**
 * The class `--testrunner` names: the project's TEST_RUNNER (when it is a DiscoverRunner) recording
 * with Slipway's result class. Built on first access, once settings are loaded.
 */
export const DJANGO_RUNNER = String.raw`
import slipway_junit as junit

JUNIT_PATH = None
RESULT = None

def __getattr__(name):
    if name != "Runner":
        raise AttributeError(name)
    from django.conf import settings
    from django.test.runner import DiscoverRunner
    from django.test.utils import get_runner
    base = get_runner(settings)
    if not (isinstance(base, type) and issubclass(base, DiscoverRunner)):
        base = DiscoverRunner

    class Runner(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.parallel = 0  # worker processes would report to their own results, not ours

        def get_resultclass(self):
            return junit.Recorder

        def run_suite(self, suite, **kwargs):
            global RESULT
            RESULT = super().run_suite(suite, **kwargs)
            if JUNIT_PATH:
                junit.write_junit(JUNIT_PATH, RESULT.records, "django")
            return RESULT

    globals()["Runner"] = Runner
    return Runner
`;
