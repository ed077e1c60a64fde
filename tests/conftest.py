import sys
from pathlib import Path

# Test helpers (e.g. tests/unit/engine_universe.py) import by module name.
sys.path.insert(0, str(Path(__file__).parent / "unit"))
