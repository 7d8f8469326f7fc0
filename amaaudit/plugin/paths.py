"""The run's files: which it reads, which it writes, checked before anything runs; and the
outputs that still failed at the end.

An output that is a folder, a FIFO or a device, that cannot be created, or that is the same file
as an input (``--save-estate`` naming the ``--estate`` file would overwrite the evidence) or as
another output, stops the run at once with one paragraph: finding out after a 10,000-VM run, or
never, is worse. Inputs are one list: an option that reads a file is one more entry in
``INPUTS`` (options this version does not have read as absent).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .. import outputs
from ..outputs import Named
from ..text import clip, printable

# (flag, pytest dest): options whose files a run reads. A value may be one path or a list of them.
INPUTS = (("--estate", "estate"), ("--waivers", "waivers"), ("--baseline", "baseline"), ("--what-if", "what_if"))

_FAILED = pytest.StashKey[list]()


def _absolute(config, value: str, expand_vars: bool = False) -> Path:
    text = os.path.expandvars(value) if expand_vars else value
    return Path(config.invocation_params.dir) / Path(text).expanduser()


def inputs(config) -> list[Named]:
    from .options import live_subscriptions
    from .source import DEMO

    found: list[Named] = []
    for flag, dest in INPUTS:
        value = config.getoption(dest, None)
        for one in (value if isinstance(value, (list, tuple)) else [value]):
            if one:
                found.append(Named(flag, _absolute(config, str(one))))
    if not config.getoption("estate", None) and not live_subscriptions(config):
        found.append(Named("the bundled demo estate", config.rootpath / DEMO))
    return found


def findings_target(config) -> Path:
    from ..report import findings_json

    given = config.getoption("findings_json", None)
    return _absolute(config, given) if given else findings_json.default_path(config)


def outputs_of(config) -> list[tuple[Named, bool]]:
    """(output, whether its writer replaces it through a temporary file in its folder)."""
    found: list[tuple[Named, bool]] = []
    html = config.getoption("htmlpath", None)
    if html and config.pluginmanager.hasplugin("html"):
        # pytest-html rewrites its file in place; without --self-contained-html it adds assets/ beside it
        found.append((Named("--html", _absolute(config, html, expand_vars=True)),
                      not config.getoption("self_contained_html", False)))
    xml = getattr(config.option, "xmlpath", None)
    if xml:    # pytest's junitxml rewrites its file in place, at a lexically normalised path
        found.append((Named("--junitxml", Path(os.path.normpath(_absolute(config, xml, expand_vars=True)))), False))
    given = config.getoption("findings_json", None)
    found.append((Named("--findings-json" if given else "--findings-json (its default path)",
                        findings_target(config)), True))
    if config.getoption("save_estate", None):
        found.append((Named("--save-estate", _absolute(config, config.getoption("save_estate"))), True))
    return found


def check(config) -> None:
    """Refuse, before anything is read or checked, an output that cannot or must not be written."""
    read = inputs(config)
    written = outputs_of(config)
    for index, (output, replaces) in enumerate(written):
        others = [other for other, _ in written[:index]]
        why = outputs.problem(output, read, others, needs_folder=replaces)
        if why is not None:
            raise pytest.UsageError(printable(
                f"Cannot write {output.option} to {clip(str(output.path), 300)}: it {why}. Nothing was read or checked."))


def _shown(path: Path) -> str:
    return printable(clip(str(path), 300))


# -- outputs that failed at the end --------------------------------------------------------------
def write_failed(config, option: str, path, exc: OSError) -> None:
    """One terminal line for an output that could not be written; the run then fails (exit 1)."""
    why = exc.strerror or str(exc)
    line = (f"amaaudit: {option} {_shown(Path(path))} was NOT written ({printable(why)}); "
            "the other outputs were written, and the run fails")
    config.stash.setdefault(_FAILED, []).append(line)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line, red=True)
    else:
        import sys
        print(line, file=sys.stderr, flush=True)


def any_failed(config) -> bool:
    return bool(config.stash.get(_FAILED, None))
