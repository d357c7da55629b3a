"""Every shipped config and experiment gives exactly the outputs stored before the last
refactor (see ``tests/output_identity.py``)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from output_identity import STORED, differences, fingerprints


def test_outputs_are_bit_identical_to_the_stored_fingerprints():
    stored = json.loads(STORED.read_text())
    now = fingerprints()
    assert set(stored["runs"]) <= set(now["runs"]), "a shipped config disappeared"
    problems = differences(stored, now)
    assert not problems, "\n".join(problems[:40])
