"""How a next step printed for the user names this program: as they can type it again."""

import os
import sys

from imagegen_local.cli.context import program_name

REPO = "/home/me/project"
SCRIPT = f"{REPO}/.venv/bin/imagegen"


def test_the_bare_name_when_the_path_finds_this_very_program():
    assert program_name(SCRIPT, which=lambda name: SCRIPT, cwd="/tmp") == "imagegen"


def test_the_path_from_here_when_the_environment_is_not_activated():
    assert program_name(SCRIPT, which=lambda name: None, cwd=REPO) == ".venv/bin/imagegen"
    assert program_name(SCRIPT, which=lambda name: None, cwd=f"{REPO}/.venv/bin") == "./imagegen"


def test_the_whole_path_from_elsewhere_or_when_the_path_finds_another_imagegen():
    assert program_name(SCRIPT, which=lambda name: "/usr/bin/imagegen", cwd="/tmp") == SCRIPT
    spaced = "/home/me/my project/.venv/bin/imagegen"
    assert program_name(spaced, which=lambda name: None, cwd="/tmp") == f"'{spaced}'"


def test_started_as_a_module_it_says_so():
    module = os.path.join(REPO, "src/imagegen_local/cli/__main__.py")
    assert program_name(module, cwd=REPO) == f"{os.path.basename(sys.executable)} -m imagegen_local.cli"
