"""The operations runbook the product answers to (``../shared/seeds/002_db5519e41479679d.txt``, written
for the earlier Next.js/Vercel version), read as an on-call engineer pastes it: every command of its
``bash`` blocks with the comments around it, and its SQL, by section. Only the host is swapped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# CI copies the team's shared/ directory beside the repository (/tmp/ci/shared next to /tmp/ci/main)
RUNBOOK = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "002_db5519e41479679d.txt"
VERCEL_HOST = "https://your-domain.vercel.app"


@dataclass
class Command:
    section: str  # the nearest heading above it
    text: str  # as printed (continuation lines joined with their backslash-newline kept)
    language: str  # "bash" or "sql"
    before: list[str] = field(default_factory=list)  # the comment lines just above it, without "# "
    after: list[str] = field(default_factory=list)  # the comment lines after it, up to the next command

    @property
    def id(self) -> str:
        first = " ".join(self.text.split())[:70]
        return f"{self.section}: {first}"

    def against(self, base: str, restaurant: str) -> str:
        """The command with only the host swapped (and the runbook's restaurant placeholders named)."""
        text = self.text.replace(VERCEL_HOST, base.rstrip("/"))
        return re.sub(r"\b(?:YOUR_RESTAURANT_ID|YOUR_ID|THEIR_ID)\b", restaurant, text)


def read_runbook(path: Path = RUNBOOK) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"the operations runbook is missing: {path} (the team's shared/ directory must "
                                "sit beside the repository, as CI arranges it)")
    return path.read_text(encoding="utf-8", errors="replace")


def _logical_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    pending = ""
    for line in lines:
        if line.rstrip().endswith("\\") and not line.lstrip().startswith("#"):
            pending += line.rstrip() + "\n"
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


def _commands(section: str, language: str, lines: list[str]) -> list[Command]:
    found: list[Command] = []
    comments: list[str] = []
    loop: list[str] | None = None
    attach = False  # comment lines right under a command (no blank line between) say what it should show
    marker = "#" if language == "bash" else "--"
    for line in _logical_lines(lines):
        stripped = line.strip()
        if loop is not None:
            loop.append(line)
            if stripped == "done":
                found.append(Command(section, "\n".join(loop), language, comments))
                loop, comments, attach = None, [], True
            continue
        if not stripped:
            attach, comments = False, []
            continue
        if stripped.startswith(marker):
            text = stripped.removeprefix(marker).strip()
            if attach:
                found[-1].after.append(text)
            comments.append(text)
            continue
        if language == "bash" and stripped.startswith("for "):
            loop = [line]
            continue
        if language == "sql" and found and not found[-1].text.rstrip().endswith(";"):
            found[-1].text += "\n" + line
            continue
        found.append(Command(section, line, language, comments))
        comments, attach = [], True
    return found


def runbook_commands(text: str) -> list[Command]:
    """Every command of the runbook's ``bash`` and ``sql`` blocks (other blocks are message templates)."""
    commands: list[Command] = []
    section = ""
    block: list[str] | None = None
    language = ""
    for line in text.splitlines():
        if block is None:
            if line.startswith("#"):
                section = line.lstrip("#").strip()
            elif line.startswith("```"):
                block, language = [], line[3:].strip()
            continue
        if line.startswith("```"):
            if language in ("bash", "sql"):
                commands += _commands(section, language, block)
            block = None
            continue
        block.append(line)
    return commands


def curl_format(text: str) -> str:
    """The ``curl-format.txt`` the runbook says to create (the comment lines under "Create curl-format.txt:"),
    with curl's ``\\n`` escapes kept as written."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Create curl-format.txt:" in line) + 1
    body: list[str] = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        body.append(line.removeprefix("#").strip())
    return "".join(body)
