"""Live discovery: read an Azure estate (read-only) into an ``ama-estate/1`` snapshot.

Why it exists as its own package: it is the only part of amaaudit that talks to Azure, and
the only one that imports azure-identity, azure-mgmt-* and azure-monitor-query. Everything
else reads the snapshot it produces, so a live run and a replay of its saved snapshot
(``--estate``) go through one parser and give the same verdicts.

Module map (each module says why it is the way it is):

* ``discover``   -- sign-in check and orchestration; returns the snapshot dict
* ``walker``     -- reference walk from the machines (VMs, Arc-enabled servers, scale sets) to everything
                    a check needs (both back-ends): what to read
* ``scheduler``  -- when to read it: per subscription, in turn, paced to ARM's buckets
* ``limits``     -- Azure's documented request limits, as data, with their sources
* ``armread``    -- typed SDK GETs with raw JSON, raw paged lists, id parsing
* ``graph``      -- the Resource Graph back-end (bulk index, ARM only for what ARG lacks)
* ``heartbeat``  -- one Log Analytics query per destination workspace
* ``pipeline``   -- read-only policy list, throttling-aware retry, request counting, token cache
* ``redact``     -- the single secret-redaction function
* ``snapshot``   -- atomic, stable writing; the summary line
* ``errors``     -- errors entries and the sign-in paragraph
"""

from .discover import discover
from .errors import DiscoveryError
from ..redact import redact
from .settings import LiveSettings
from .snapshot import summary_line, write_snapshot

__all__ = ["LiveSettings", "discover", "DiscoveryError", "write_snapshot", "summary_line", "redact"]
