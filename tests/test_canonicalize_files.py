"""canonicalize's work on one file as a library: the pass run, the sidecar merged (never
overwritten with less) and the report lines, without a command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptofix.canonicalize_files import Canonicalization, SidecarPlace, target_version, with_sidecar
from ptofix.source import PtofixError

# A GM-only pipe init: v0.45 rejects its local_slot_num, which canonicalize moves to the sidecar.
GM_ONLY_PIPE = """\
module {
  func.func @vector_kernel(%gm: !pto.ptr<f32>) attributes {pto.kernel_kind = #pto.kernel_kind<vector>} {
    %p = "pto.initialize_l2g2l_pipe"(%gm) {dir_mask = 2 : i64, flag_base = 2 : i64, local_slot_num = 1 : i64, slot_num = 8 : i64, slot_size = 65536 : i64} : (!pto.ptr<f32>) -> !pto.pipe
    return
  }
}
"""


def place(sidecar: Path | None, output: Path | None, check_only: bool = False) -> SidecarPlace:
    return SidecarPlace(str(sidecar) if sidecar else None, False, str(output) if output else None, check_only, False)


def test_a_removed_local_slot_num_is_moved_to_the_sidecar_then_kept_from_it(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text(GM_ONLY_PIPE)
    job = Canonicalization.for_target("v0.45", "custom")
    first = with_sidecar(job.process(str(ir)), place(None, tmp_path / "k.pto"))
    # The default sidecar is beside the output, written only if it still holds nothing.
    [(path, text, what, held)] = first.writes
    assert (path, what, held) == (str(tmp_path / "k.pto.slots.json"), "sidecar", None)
    [entry] = json.loads(text)["pipes"]
    assert (entry["op"], entry["local_slot_num"], entry["line"]) == ("pto.initialize_l2g2l_pipe", 1, 3)
    assert first.lines[0] == f"{ir}: canonicalize for ptoas v0.45 (--to custom):"
    assert first.lines[-1] == f"{ir}:3: local_slot_num = 1 moved to the sidecar"
    assert any("removed local_slot_num = 1" in warning for warning in first.warnings)
    assert first.report["sidecar_path"] == path and first.report["sidecar_kept"] == 0

    # The canonical output canonicalized again in place (-i), its sidecar beside it: the entry is
    # kept, not dropped for the now-bare init.
    canonical = tmp_path / "k.pto"
    canonical.write_text(job.process(str(ir)).text)
    Path(path).write_text(text)
    second = with_sidecar(job.process(str(canonical)), SidecarPlace(None, True, None, False, False))
    [(again, merged, _, held_again)] = second.writes
    assert again == path and held_again == text.encode()
    assert json.loads(merged)["pipes"][0]["local_slot_num"] == 1
    assert second.lines[-1] == f"{canonical}:3: local_slot_num = 1 kept from the sidecar"
    assert second.report["sidecar_kept"] == 1


def test_check_writes_no_sidecar_and_warns_nothing_is_recorded(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text(GM_ONLY_PIPE)
    done = with_sidecar(Canonicalization.for_target("v0.45", "custom").process(str(ir)),
                        place(None, None, check_only=True))
    assert done.writes == [] and "sidecar_path" not in done.report
    assert done.lines[-1] == f"{ir}:3: local_slot_num = 1 moved to the sidecar"


def test_without_a_sidecar_place_the_warning_says_how_to_keep_the_value(tmp_path: Path):
    ir = tmp_path / "k.mlir"
    ir.write_text(GM_ONLY_PIPE)
    done = with_sidecar(Canonicalization.for_target("v0.45", "custom").process(str(ir)), place(None, None))
    assert done.writes == []
    assert any("give --sidecar PATH" in warning for warning in done.warnings)


def test_the_target_version_is_read_as_given_or_from_ptoas(tmp_path: Path):
    assert target_version("v0.45") == ("v0.45", [])
    version, [note] = target_version("v0.99")
    assert note.startswith("ptofix: note: ptoas version 'v0.99' is not one ptofix knows")
    with pytest.raises(PtofixError, match="unknown ptoas version 'v9x'"):
        target_version("v9x")
    ptoas = tmp_path / "ptoas"
    ptoas.write_text("#!/bin/sh\necho 'ptoas 0.45'\n")
    ptoas.chmod(0o755)
    version, [note] = target_version(None, {"PTOAS": str(ptoas)})
    assert version == "v0.45" and note.startswith("ptofix: note: ")
