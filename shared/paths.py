"""Where the repository's files are (migrations, seed menus, the widget bundle). Import-cheap."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
