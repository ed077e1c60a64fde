"""LibreOffice as a second real client of the files reoffkit writes (workbooks now, Word later)."""

from __future__ import annotations

import os
import shutil
import subprocess

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice(tmp_path, source, target_format: str) -> bytes:
    """``source`` converted by LibreOffice (headless, its own throwaway user profile). LibreOffice is
    part of the test set-up (`make test` installs it): without it these tests fail, not pass."""
    assert SOFFICE, "LibreOffice Calc (soffice) is not installed: run `make office`"
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "lo-profile"
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir(exist_ok=True)
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", target_format, "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    extension = target_format.split(":")[0]
    converted = out / (source.stem + "." + extension)
    assert result.returncode == 0 and converted.exists(), (result.returncode, result.stdout, result.stderr)
    return converted.read_bytes()
