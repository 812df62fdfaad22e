"""`pip install .` must carry the workflows and migrations, which live outside src/, and the catalogues."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_workflows_and_the_migrations(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("casework-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"casework/_bundled/workflows/{p.name}" for p in (ROOT / "workflows").glob("*.yaml")}
    shipped |= {f"casework/_bundled/migrations/versions/{p.name}" for p in (ROOT / "migrations/versions").glob("*.py")}
    shipped |= {"casework/_bundled/migrations/env.py", "casework/_bundled/migrations/script.py.mako"}
    shipped |= {f"casework/locale/{lang}/LC_MESSAGES/casework.po" for lang in ("zh", "en")}
    assert shipped <= names, sorted(shipped - names)
