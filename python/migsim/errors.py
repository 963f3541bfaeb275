# SPDX-License-Identifier: GPL-3.0-or-later
"""migsim's diagnostics as Python exceptions.

migsim prints one line per problem on stderr, "migsim: FILE:LINE:COL: FIELD: MESSAGE",
each part left out when absent ("migsim: FILE: MESSAGE", "migsim: FIELD: MESSAGE"), and
"migsim: --set KEY=VALUE: FIELD: MESSAGE" for a problem of a --set value. parse_diagnostics
turns those lines into Problem records; the calls of this package raise ConfigError (bad
scenario, CSV or --set value: exit status 65, 66 or 78) or MigsimError (anything else)
carrying them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import List, Optional

_PREFIX = "migsim: "
_SET = re.compile(r"--set (?P<override>.*?): (?P<rest>.*)")
_AT_LINE = re.compile(r"(?P<file>.+?):(?P<line>[0-9]+)(?::(?P<column>[0-9]+))?: (?P<rest>.*)")
_HEAD = re.compile(r"(?P<head>[^:]+): (?P<rest>.*)")
_FIELD = re.compile(r"(?P<field>[A-Za-z_][A-Za-z0-9_.\[\]/-]*): (?P<message>.*)")
_COUNT = re.compile(r"[0-9]+ problems")
_FILE_SUFFIXES = (".yaml", ".yml", ".csv", ".h5", ".ckpt", ".nc")
# exit statuses of a bad input: 65 bad data (CSV, graph), 66 missing input, 78 bad config
CONFIG_EXIT_STATUSES = (65, 66, 78)


@dataclass(frozen=True)
class Problem:
    """One problem migsim reported. file is None for a --set value's problem (override
    then holds its "KEY=VALUE") and for a problem that names no file; line and column
    are None when migsim gave none; field is the key path or CSV column, or None."""
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    field: Optional[str] = None
    override: Optional[str] = None
    text: str = ""


def _split_field(rest):
    m = _FIELD.fullmatch(rest)
    return (m["field"], m["message"]) if m else (None, rest)


def _looks_like_file(head):
    return head.lower().endswith(_FILE_SUFFIXES) or os.path.exists(head)


def parse_diagnostic(text: str) -> Optional[Problem]:
    """One stderr line as a Problem, or None when it is not a diagnostic (a log line,
    or the closing "migsim: N problems")."""
    if not text.startswith(_PREFIX):
        return None
    body = text[len(_PREFIX):].rstrip("\n")
    if _COUNT.fullmatch(body):
        return None
    m = _SET.fullmatch(body)
    if m:
        field, message = _split_field(m["rest"])
        return Problem(message, field=field, override=m["override"], text=body)
    m = _AT_LINE.fullmatch(body)
    if m:
        field, message = _split_field(m["rest"])
        column = int(m["column"]) if m["column"] else None
        return Problem(message, file=m["file"], line=int(m["line"]), column=column,
                       field=field, text=body)
    m = _HEAD.fullmatch(body)
    if m and _looks_like_file(m["head"]):
        field, message = _split_field(m["rest"])
        return Problem(message, file=m["head"], field=field, text=body)
    field, message = _split_field(body)
    return Problem(message, field=field, text=body)


def parse_diagnostics(stderr: str) -> List[Problem]:
    """Every diagnostic line of migsim's stderr, in order."""
    found = (parse_diagnostic(line) for line in stderr.splitlines())
    return [p for p in found if p is not None]


class MigsimError(RuntimeError):
    """migsim exited with a failure. problems: the Problems it reported (possibly
    none); returncode: its exit status (sysexits); stderr: all it printed; command: the
    argument list. file, line, column, field, message and override are the first
    problem's (None when there is none)."""

    def __init__(self, command, returncode, stderr):
        self.command = [str(c) for c in command]
        self.returncode = returncode
        self.stderr = stderr
        self.problems = parse_diagnostics(stderr)
        first = self.problems[0] if self.problems else Problem(
            stderr.strip() or f"exited with status {returncode}")
        self.file, self.line, self.column = first.file, first.line, first.column
        self.field, self.message, self.override = first.field, first.message, first.override
        lines = [p.text for p in self.problems] or [first.message]
        super().__init__("\n".join(lines))


class ConfigError(MigsimError, ValueError):
    """A bad scenario, CSV table, sweep spec or --set value (exit status 65, 66 or 78).
    Every problem found is in problems; the attributes name the first:

        try:
            migsim.check("s.yaml")
        except migsim.ConfigError as e:
            e.file, e.line, e.column, e.field, e.message
            # ('s.yaml', 2, 1, 'dyas', 'unknown key (did you mean "days"?)')
    """


def error_for(command, returncode, stderr) -> MigsimError:
    """The exception for a failed call: ConfigError for a bad input, else MigsimError."""
    cls = ConfigError if returncode in CONFIG_EXIT_STATUSES else MigsimError
    return cls(command, returncode, stderr)
