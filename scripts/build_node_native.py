"""Compile the node's hot path with mypyc, in place: `make native` (run by `make install`).

The node is plain Python and runs as such; this turns the modules every request goes through
(protocol, dispatch, keyspace, client, the command table, the server loop and the string and
list commands) into C extensions next to their sources. Python imports an extension before the
.py beside it, so after editing one of these modules run `make native` again (the Makefile and
the test suite's staleness check see to it). Without a C compiler the build fails, the node
stays pure Python and works the same, only slower (see the README's benchmark figures).

mypyc was chosen over Cython because the code is already strictly typed for mypy: the same
source is both the readable implementation and the compiled one, with no .pyx to keep in step.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

NODE = Path(__file__).resolve().parent.parent / "nodeimage"

# The request path, measured by benchmarks/node_hotpath.py: compiling these (and the native
# classes they define: Client, Command, Keyspace, Database) roughly halves its cost.
COMPILED = [
    "miniredis_node/protocol.py",
    "miniredis_node/dispatch.py",
    "miniredis_node/keyspace.py",
    "miniredis_node/client.py",
    "miniredis_node/table.py",
    "miniredis_node/server.py",
    "miniredis_node/args.py",
    "miniredis_node/commands/strings.py",
    "miniredis_node/commands/lists.py",
]


def extensions(root: Path = NODE) -> list[Path]:
    """The built extension files (and mypyc's shared runtime library) under `root`."""
    return sorted(p for p in root.rglob("*.so") if "build" not in p.relative_to(root).parts)


def clean(root: Path = NODE) -> None:
    for path in extensions(root):
        path.unlink()
    shutil.rmtree(root / "build", ignore_errors=True)


def build(root: Path = NODE) -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    clean(root)
    os.chdir(root)
    # One shared library per module (separate=True) keeps every .so inside the package, so a
    # wheel or an image that copies miniredis_node/ carries all of them.
    setup(
        name="miniredis-node-native",
        ext_modules=mypycify(COMPILED, opt_level="3", separate=True),
        script_args=["build_ext", "--inplace", "--build-temp", "build/temp"],
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["clean"]:
        clean()
    else:
        build()
