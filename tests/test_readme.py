"""The README's two commands are the ones CI and these tests exercise."""

import re
from pathlib import Path

from symxent.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b.strip() for b in blocks[:2]]


def test_quick_start_is_exactly_two_commands():
    main_job, tests = readme_commands()
    assert main_job.endswith("symxent tour") and "\n" not in main_job
    assert "pytest" in tests and "\n" not in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci, ".ci/run must run the README's test command"


def test_the_main_job_is_a_registered_command():
    assert "tour" in COMMANDS
    args = build_parser().parse_args(["tour"])
    assert callable(args.run)


def test_pytest_runs_doctests_of_the_package():
    config = (ROOT / "pyproject.toml").read_text()
    assert "--doctest-modules" in config and '"symxent"' in config


def test_readme_python_examples_run():
    import doctest

    text = (ROOT / "README.md").read_text()
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.failures == 0
