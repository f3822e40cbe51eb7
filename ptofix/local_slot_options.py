"""Options for the ``local-slot-num`` pass, shared by ``ptofix run`` and the build hook.

    options = LocalSlotOptions.from_values(vars(args))   # args: the command layer's parsed options
    pass_ = local_slot_pass(options)    # LocalSlotNumPass, or None if no option was given

:data:`LOCAL_SLOT_OPTIONS` is the one home of the options' spellings: the command-line options
(commands/arguments.py), the typed :class:`LocalSlotOptions`, the pass options and the build's
config keys all follow it.
"""
from __future__ import annotations

from .batch import read_count
from .pass_manager import build_pass
from .records import Frozen
from .source import OptionValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

def positive_count(text: str) -> int:
    """A LocalSlotNum on the command line: at least 1 (0 would mean no default, silently)."""
    value = read_count(text)
    if value == 0:
        raise OptionValueError("a LocalSlotNum is at least 1, got '0'")
    return value


# (flag, dest, keyword arguments for add_argument, and comma_list=True for an option whose
# repetitions merge into one comma list). The flag without its dashes is also the option
# name of the local-slot-num pass it sets (--local-slot-num sets `map`, --default-local-slot-num
# sets `default`: see _PASS_OPTION) and, in a build config, the key.
LOCAL_SLOT_OPTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("--local-slot-num", "local_slot_num", dict(
        metavar="N|FLAG=N,...", comma_list=True,
        help="set TPipe LocalSlotNum: N for every pipe, or per FlagID, e.g. 0=2,4=2 (highest priority)")),
    ("--ir", "local_slot_ir", dict(
        metavar="PTO_IR",
        help="take LocalSlotNum from this PTO IR file's pipe init ops (their local_slot_num, matched to the "
             "C++ pipes by shape: function, direction, SlotSize, SlotNum) where that pairs them one to one; "
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
        help="normalise TPipe arguments to the order of the pto-isa headers in use (old "
             "<F,Dir,Size,Num,bool,Local>, new <F,Dir,Size,Num,Local,bool>)")),
    ("--pto-lib", "pto_lib", dict(
        metavar="PATH", help="normalise TPipe arguments to the order of this pto-isa checkout (read from its "
                             "include/pto/npu/a2a3/TPush.hpp)")),
    ("--unit-flag", "unit_flag", dict(
        metavar="FLAGIDS", comma_list=True, help="set EN_UNIT_FLAG = true on the pipes with these FlagIDs, e.g. 0,4")),
]


# The pass option a flag sets where its name is not the flag's.
_PASS_OPTION = {"--local-slot-num": "map", "--default-local-slot-num": "default"}

# The options that enable the pass; --target-ptoas alone does not (other commands share that option).
_TRIGGERS = tuple(dest for flag, dest, _ in LOCAL_SLOT_OPTIONS if flag != "--target-ptoas")


class LocalSlotOptions(Frozen):
    """The LocalSlotNum settings of one run, by the ``dest`` of their command-line option; ``None``
    where the option was not given."""
    local_slot_num: str | None = None
    local_slot_ir: str | None = None
    local_slot_sidecar: str | None = None
    target_ptoas: str | None = None
    default_local_slot_num: int | None = None
    tpipe_order: str | None = None
    pto_lib: str | None = None
    unit_flag: str | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> LocalSlotOptions:
        """The settings among parsed option ``values`` (``vars()`` of argparse's result): each by our
        dest, or by the plain dest of a command that defines the option itself (e.g. --target-ptoas)."""
        found: dict[str, Any] = {}
        for flag, dest, _ in LOCAL_SLOT_OPTIONS:
            value = values.get(dest)
            found[dest] = value if value is not None else values.get(flag[2:].replace("-", "_"))
        return cls(**found)

    @property
    def enabled(self) -> bool:
        """Whether any option that enables the pass was given."""
        return any(getattr(self, dest) not in (None, "") for dest in _TRIGGERS)


def local_slot_pass(options: LocalSlotOptions) -> Any | None:
    """A configured ``LocalSlotNumPass``, or ``None`` when none of its options was given.

    ``--target-ptoas`` alone does not enable the pass (other commands share that option).
    """
    if not options.enabled:
        return None
    pass_options: dict[str, str] = {}
    for flag, dest, _ in LOCAL_SLOT_OPTIONS:
        value = getattr(options, dest)
        if value not in (None, ""):
            pass_options[_PASS_OPTION.get(flag, flag[2:])] = str(value)
    return build_pass("local-slot-num", pass_options)
