"""findings.json: one object per result for pipelines, with a header (schema: docs/findings.schema.json).

Written atomically (a temporary file in the same folder, then a rename: amaaudit.outputs), so a
pipeline never reads half a file; results sorted so that the file is identical with and without pytest-xdist.
One result per line: greppable and diffable, and json's C encoder is only used for one-shot,
unindented dumps (an indented dump of 90,000 results takes seconds).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import outputs
from ..baseline import FORMAT      # the reader of --baseline owns the format it reads
from ..steps import STEPS
from . import results



def document(header: dict[str, Any], records: list[dict[str, Any]], lang: str,
             waivers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"format": FORMAT, "header": {**header, "steps": [s.name for s in STEPS], "waivers": waivers or []},
            "results": [results.to_object(r, lang) for r in results.ordered(records)]}


def write(path: str | Path, doc: dict[str, Any]) -> Path:
    """Write atomically through :func:`amaaudit.outputs.write_atomically`: a new file is 0644 (a CI
    artifact must be readable), a replaced one keeps its mode. Returns the file written."""
    def stream(out) -> None:
        compact = {"ensure_ascii": False, "separators": (",", ":"), "allow_nan": False}
        out.write('{"format":' + json.dumps(doc["format"]) + ',\n"header":' + json.dumps(doc["header"], **compact)
                  + ',\n"results":[')
        encode = json.JSONEncoder(**compact).encode
        for i, result in enumerate(doc["results"]):      # streamed: 90,000 results are tens of MB
            out.write(("\n" if i == 0 else ",\n") + encode(result))
        out.write("\n]}\n")

    return outputs.write_atomically(path, stream, new_mode=0o644)


def default_path(config) -> Path:
    """Next to the HTML report when there is one (reports/ by default), else reports/findings.json."""
    html = config.getoption("htmlpath", None)
    base = Path(config.invocation_params.dir)
    if html:
        return (base / Path(os.path.expandvars(html)).expanduser()).parent / "findings.json"
    return base / "reports" / "findings.json"
