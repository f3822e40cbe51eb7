"""Each command's ``--help`` is short and fits the terminal: usage, a one-line description, the
options grouped with one line of help each, the exit statuses and a pointer to the command's page
in docs/commands/ (where the long explanations live). $COLUMNS sets the width."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ptofix.cli import COMMANDS, main
from ptofix.commands.help_format import first_clause

REPO = Path(__file__).resolve().parents[2]
HELP_COLUMN = 24      # where argparse starts an option's help (max_help_position)


def help_text(command: str, columns: int, monkeypatch, capsys) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def option_help_lines(text: str) -> dict[str, list[str]]:
    """Each option's help lines, by the option's invocation as the help writes it."""
    helps: dict[str, list[str]] = {}
    body = text[text.index("\n\n", text.index("usage:")):]
    current = None
    for line in body.splitlines():
        option = re.match(r"  (-\S.*?)(?:  +(\S.*))?$", line)
        if option and not line.startswith(" " * HELP_COLUMN):
            current = option.group(1)
            helps[current] = [option.group(2)] if option.group(2) else []
        elif current is not None and line.startswith(" " * HELP_COLUMN) and line.strip():
            helps[current].append(line.strip())
        else:
            current = None
    return helps


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_one_line_of_help_on_a_wide_terminal(command, monkeypatch, capsys):
    text = help_text(command, 120, monkeypatch, capsys)
    helps = option_help_lines(text)
    assert len(helps) > 5
    assert {option: lines for option, lines in helps.items() if len(lines) != 1} == {}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("columns", [60, 80, 200])
def test_help_fits_the_terminal_width(command, columns, monkeypatch, capsys):
    text = help_text(command, columns, monkeypatch, capsys)
    # (A single word longer than the width, such as a long example command line, may not fit.)
    too_wide = [line for line in text.splitlines() if len(line) > columns and " " in line.strip()
                and not line.startswith("  ptofix ")]
    assert too_wide == []
    description = text.split("\n\n")[1]
    if columns == 200:
        assert "\n" not in description            # one line when it fits
    else:
        assert max(map(len, description.splitlines())) > columns - 25     # refilled, not as written


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_short_and_points_to_the_commands_page(command, monkeypatch, capsys):
    text = help_text(command, 100, monkeypatch, capsys)
    options = len(option_help_lines(text))
    # usage, description, one or two lines per option, group headings, exit status and the pointer
    assert len(text.splitlines()) <= 2 * options + 25
    assert text.rstrip().endswith(f"docs/commands/{command}.md")
    assert (REPO / "docs" / "commands" / f"{command}.md").is_file()
    assert "\nexit status: " in text


def test_the_first_clause_of_an_options_help_is_what_help_shows():
    assert first_clause("write the result to OUT ('-' for stdout, the default); OUT must be a regular file") == \
        "write the result to OUT"
    assert first_clause("set TPipe LocalSlotNum: N for every pipe, or per FlagID, e.g. 0=2,4=2") == \
        "set TPipe LocalSlotNum: N for every pipe, or per FlagID"
    assert first_clause("how a pipe_barrier(PIPE_V) costs; pto-isa: unchanged") == "how a pipe_barrier(PIPE_V) costs"
    assert first_clause("exit 0, not 4, when the only finding is unverified. More") == \
        "exit 0, not 4, when the only finding is unverified"
    assert first_clause("a list {a; b} then more; the rest") == "a list {a; b} then more"
    assert first_clause("no clause end at all") == "no clause end at all"


def _top_help(monkeypatch, capsys, columns: int = 120) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_the_top_level_help_lists_every_exit_status(monkeypatch, capsys):
    from ptofix.exit_status import ExitStatus
    statuses = _top_help(monkeypatch, capsys).split("\nexit status:\n", 1)[1]
    listed = {int(n) for n in re.findall(r"^  (\d+) ", statuses, re.M)}
    assert {int(status) for status in ExitStatus} <= listed
    assert "check: races or broken tile placements found" in statuses            # check's 1
    assert re.search(r"^  4    check: no race shown, but a function it could not verify", statuses, re.M)


def test_each_command_s_one_line_is_whole(monkeypatch, capsys):
    # The list of commands shows each command's help as written, never cut at an aside.
    import argparse

    from ptofix.cli import build_parser
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for choice in commands._choices_actions:
        assert first_clause(choice.help) == choice.help, choice.dest
    text = " ".join(_top_help(monkeypatch, capsys, 200).split())
    assert "rewrite generic/mixed PTO IR into the target ptoas version's custom or generic form" in text


@pytest.mark.parametrize("command,formats", [("run", "json, text or html"), ("opt", "json, text or html"),
                                             ("check", "json, text, html or sarif")])
def test_report_s_help_names_its_formats(command, formats, monkeypatch, capsys):
    helps = option_help_lines(help_text(command, 120, monkeypatch, capsys))
    assert helps["--report FORMAT"] == [f"report every decision as {formats}"]
    from ptofix.cli import build_parser
    report = next(a for a in build_parser(command)._subparsers._group_actions[0].choices[command]._actions
                  if a.dest == "report")
    assert formats.replace(" or ", ", ").split(", ") == list(report.choices)


@pytest.mark.parametrize("argv", [["--help", "run"], ["-h", "run", "k.cpp"], ["--debug", "--help", "check"]])
def test_a_help_before_the_command_is_the_top_level_help_with_every_command(argv, monkeypatch, capsys):
    # A command line that names a command builds no other command's entry (cli.build_parser's
    # `others`), but a -h/--help before the command's name prints the top-level help: all of them.
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: ptofix [-h]")
    for name in COMMANDS:
        assert re.search(rf"^    {name}(?: +\S|\n)", out, re.M), name
    from ptofix.cli import build_parser
    assert list(build_parser("run", others=False)._subparsers._group_actions[0].choices) == ["run"]
