"""``python -m bench``: every benchmark in turn (``make bench``).

Runs ``bench.ops`` (stage 01, forward ops), ``bench.autograd`` (stage 02, forward and
backward) and ``bench.nn`` (stage 04, layers and training), each in its own process so that
each sets the thread limits before NumPy is imported. The options below are passed to each;
``--json DIR`` writes ``DIR/<benchmark>.json``. Exits 1 if any exits non-zero (with
``--strict``, a missed target).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = ("ops", "autograd", "nn")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=("solutions", "framework"), default="solutions")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, metavar="DIR", help="write DIR/<benchmark>.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    args = parser.parse_args(argv)
    status = 0
    for name in args.only:
        command = [sys.executable, "-m", f"bench.{name}", "--framework", args.framework,
                   "--threads", str(args.threads)]
        if args.json:
            command += ["--json", str(args.json / f"{name}.json")]
        if args.strict:
            command.append("--strict")
        print(f"== bench.{name} ==", flush=True)
        status |= subprocess.run(command, cwd=REPO, check=False).returncode
        print(flush=True)
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
