"""Make ``pytest --estate /elsewhere/estate.json`` (space form) find the project's config.

pytest picks its rootdir and ini file from the command line before any plugin's options
are known, so the value of ``--estate FILE`` is taken for a test path: the rootdir becomes
the file's folder, pytest.ini and the root conftest.py are missed. This plugin is loaded
from a pytest11 entry point, so by ``pytest_load_initial_conftests`` its options are known
and the arguments parse correctly; here the setup is determined again from the true test
paths and, if it differs, pytest's config is pointed at the right rootdir and ini file.
"""

from __future__ import annotations

import copy

from _pytest.config.findpaths import determine_setup

from .options import VALUE_OPTIONS


def _space_form_values(args: list[str]) -> set[str]:
    return {args[i + 1] for i, arg in enumerate(args[:-1]) if arg in VALUE_OPTIONS}


def repair(config, args: list[str]) -> None:
    if not _space_form_values(args):
        return
    ns = config.known_args_namespace
    rootpath, inipath, inicfg, ignored = determine_setup(
        inifile=ns.inifilename, override_ini=ns.override_ini, args=ns.file_or_dir,
        rootdir_cmd_arg=ns.rootdir or None, invocation_dir=config.invocation_params.dir)
    if (rootpath, inipath) == (config.rootpath, config.inipath):
        return
    user_confcutdir = config.option.confcutdir
    config._rootpath, config._inipath, config._inicfg = rootpath, inipath, inicfg
    config._ignored_config_files = ignored
    config._inicache.clear()
    config._parser.extra_info["rootdir"] = str(rootpath)
    config._parser.extra_info["inifile"] = str(inipath)
    addopts = config._validate_args(config.getini("addopts"), "via addopts config")
    args[:] = addopts + args
    config.known_args_namespace = config._parser.parse_known_args(args, namespace=copy.copy(config.option))
    if user_confcutdir is None:
        config.known_args_namespace.confcutdir = str(inipath.parent if inipath else rootpath)
