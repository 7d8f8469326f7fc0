"""The fake ARM in a process of its own, driven over stdin/stdout (for the benchmark).

    python -m tests.fakearm.serve ESTATE.json [--latency LO,HI] [--seed N]

Why a process of its own: in the benchmark the fake serves thousands of requests, and in the
client's process it would share the GIL with discovery, so that what is measured is the two of
them together. Here discovery has its process (and a core) to itself, as it has against Azure.

It prints one JSON line, ``{"url": ..., "ca": ...}``, then answers one JSON line per command line:

* ``{"cmd": "reset", "limits": true|false}``: clear the log; enforce Azure's documented limits
  (fresh buckets) or none;
* ``{"cmd": "stats"}``: ``requests``, ``throttled`` (429s the limits answered), ``reads`` (ARM
  reads that took a token, per subscription), ``repeated_gets`` (a GET asked again).

End of input stops the server (and fails if anything but a read reached it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakearm.limits import FakeLimits  # noqa: E402
from tests.fakearm.server import FakeArm  # noqa: E402


def stats(fake: FakeArm) -> dict:
    reads: dict[str, int] = {}
    gets: dict[str, int] = {}
    for record in list(fake.log):
        path = record.path.lower()
        if record.status == 429:
            continue
        if path.startswith("/subscriptions/"):
            reads[path.split("/")[2]] = reads.get(path.split("/")[2], 0) + 1
        if record.method == "GET":
            gets[record.target.lower()] = gets.get(record.target.lower(), 0) + 1
    return {"requests": len(fake.log), "throttled": fake.throttled(), "reads": reads,
            "repeated_gets": sum(c - 1 for c in gets.values() if c > 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("estate")
    parser.add_argument("--latency", default="0")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    bounds = [float(x) for x in args.latency.split(",")]
    document = json.loads(Path(args.estate).read_text(encoding="utf-8"))
    with FakeArm(document, latency=(bounds[0], bounds[-1]), seed=args.seed) as fake:
        print(json.dumps({"url": fake.url, "ca": fake.ca_path}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            if command.get("cmd") == "reset":
                fake.clear()
                fake.enforce(FakeLimits() if command.get("limits") else None)
                print(json.dumps({"ok": True}), flush=True)
            elif command.get("cmd") == "stats":
                print(json.dumps(stats(fake)), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
