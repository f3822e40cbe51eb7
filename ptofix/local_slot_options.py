"""Command-line options for the ``local-slot-num`` pass, shared by ``ptofix run`` and the build hook.

    parser = argparse.ArgumentParser()
    add_local_slot_arguments(parser)
    args = parser.parse_args([...])
    pass_ = local_slot_pass_from_args(args)    # LocalSlotNumPass, or None if no option was given

Spellings: ``--local-slot-num 2`` (every pipe) or ``--local-slot-num 0=2,4=2`` (per FlagID),
``--ir fa.mlir``, ``--sidecar fa.local_slot_num.json``, ``--target-ptoas v0.45``,
``--default-local-slot-num 2``, ``--tpipe-order old|new``, ``--pto-lib PATH``, ``--unit-flag 0,4``.
"""
from __future__ import annotations

from .batch import count_argument
from .pass_manager import build_pass

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

def positive_count(text: str) -> int:
    """A LocalSlotNum on the command line: at least 1 (0 would mean no default, silently)."""
    value = count_argument(text)
    if value == 0:
        import argparse
        raise argparse.ArgumentTypeError("a LocalSlotNum is at least 1, got '0'")
    return value


# (flag, dest, keyword arguments for add_argument)
_OPTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("--local-slot-num", "local_slot_num", dict(
        metavar="N|FLAG=N,...",
        help="set TPipe LocalSlotNum: N for every pipe, or per FlagID, e.g. 0=2,4=2 (highest priority)")),
    ("--ir", "local_slot_ir", dict(
        metavar="PTO_IR",
        help="take LocalSlotNum from local_slot_num on the pipe init ops of this PTO IR file, matched to the "
             "C++ pipes by shape (function, direction, SlotSize, SlotNum) where that pairs them one to one; "
             "flag_base or the flag assignment rule of --target-ptoas breaks ties and places the rest")),
    ("--sidecar", "local_slot_sidecar", dict(
        metavar="JSON", help="take LocalSlotNum from the sidecar canonicalize wrote when it stripped local_slot_num")),
    ("--target-ptoas", "target_ptoas", dict(
        metavar="VERSION", help="ptoas version that produced the C++ (its flag_base assignment rule breaks ties "
                                "between pipes of one shape; default newest)")),
    ("--default-local-slot-num", "default_local_slot_num", dict(
        metavar="N", type=positive_count,
        help="LocalSlotNum for pipes without any other intent (e.g. 2, the header default)")),
    ("--tpipe-order", "tpipe_order", dict(
        choices=["old", "new"],
        help="normalise TPipe arguments to the old <F,Dir,Size,Num,bool,Local> or new "
             "<F,Dir,Size,Num,Local,bool> order of the pto-isa headers in use")),
    ("--pto-lib", "pto_lib", dict(
        metavar="PATH", help="pto-isa checkout: read the TPipe argument order from include/pto/npu/a2a3/TPush.hpp "
                             "and normalise to it")),
    ("--unit-flag", "unit_flag", dict(
        metavar="FLAGIDS", help="set EN_UNIT_FLAG = true on the pipes with these FlagIDs, e.g. 0,4")),
]


# Options whose repetitions merge into one comma list (help_format.CommaListAction).
_COMMA_LISTS = ("local_slot_num", "unit_flag")


def add_local_slot_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the LocalSlotNum options to ``parser`` (an option the parser already has is left as it is)."""
    existing = set(getattr(parser, "_option_string_actions", {}))
    # Here, not at the top: help_format imports argparse (~6 ms), which the plain `run` command lines skip.
    from .help_format import CommaListAction
    group = parser.add_argument_group("TPipe LocalSlotNum (pass local-slot-num)")
    for flag, dest, kwargs in _OPTIONS:
        if flag in existing:
            continue
        if dest in _COMMA_LISTS:
            kwargs = {**kwargs, "action": CommaListAction}
        group.add_argument(flag, dest=dest, default=None, **kwargs)


def local_slot_pass_from_args(args: argparse.Namespace) -> Any | None:
    """A configured ``LocalSlotNumPass``, or ``None`` when none of its options was given.

    ``--target-ptoas`` alone does not enable the pass (other commands share that option).
    """
    fallback = {dest: flag[2:].replace("-", "_") for flag, dest, _ in _OPTIONS}

    def get(name: str) -> Any:
        # Our dest, or the plain dest if the command defined the option itself (e.g. --target-ptoas).
        value = getattr(args, name, None)
        return value if value is not None else getattr(args, fallback.get(name, name), None)

    triggers = ("local_slot_num", "local_slot_ir", "local_slot_sidecar", "default_local_slot_num",
                "tpipe_order", "pto_lib", "unit_flag")
    if all(get(name) in (None, "") for name in triggers):
        return None
    options: dict[str, str] = {}
    for option, name in (("map", "local_slot_num"), ("ir", "local_slot_ir"), ("sidecar", "local_slot_sidecar"),
                         ("target-ptoas", "target_ptoas"), ("default", "default_local_slot_num"),
                         ("tpipe-order", "tpipe_order"), ("pto-lib", "pto_lib"), ("unit-flag", "unit_flag")):
        value = get(name)
        if value not in (None, ""):
            options[option] = str(value)
    return build_pass("local-slot-num", options)
