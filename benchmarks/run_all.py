"""Run every benchmark script in this folder, one after another."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

for script in sorted(Path(__file__).parent.glob("*.py")):
    if script.name != Path(__file__).name:
        print(f"\n$ python benchmarks/{script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], check=True)
