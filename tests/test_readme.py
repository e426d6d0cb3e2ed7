"""The README's generated sections (command list, node flags) match the code."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_readme_command_list_and_flags_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/readme_commands.py", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr + " (run: python scripts/readme_commands.py)"
