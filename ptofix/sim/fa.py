"""FA check: run a flash-attention vector kernel against a numpy cube model and reference.

The cube side is replaced by a numpy model behind the FIFO provider:

* the first C2V pipe popped before any V2C push carries S tiles: pop i = ``Q @ K_i^T`` (fp32,
  [S0, S1]) with Q [S0, D], K_i [S1, D] drawn from the seed;
* the V2C pipe carries P (half) pushed by the vector kernel (TILE_UP_DOWN halves per subblock);
* the other C2V pipe carries PV: pop j = ``P_j @ V_j`` computed from the P the kernel pushed,
  so the vector kernel runs on its own with consistent cube outputs.

The reference is plain fp32 ``softmax(scale * Q K^T) V`` over every K/V tile popped. Tolerance:
P is rounded to half before PV (as on the NPU), so O carries ~2^-11 relative error per term;
``atol = rtol = 2e-3`` (documented in ``FA_TOLERANCE``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fifo import FifoState, Pipe
from .memory import UB_SIZE, SimError
from .runner import RunResult, SimOptions, run_kernel

FA_TOLERANCE = dict(atol=2e-3, rtol=2e-3)


class CubeModel:
    """numpy stand-in for the cube kernel, plugged in as the FIFO provider."""

    def __init__(self, seed: int, head_dim: int, subblocks: int = 2):
        self.seed = seed
        self.d = head_dim
        self.subblocks = subblocks
        self.roles: dict[int, str] = {}
        self.q: np.ndarray | None = None
        self.s1: int | None = None
        self.k: dict[int, np.ndarray] = {}
        self.v: dict[int, np.ndarray] = {}

    def _q(self, rows: int) -> np.ndarray:
        if self.q is None:
            self.q = np.random.default_rng([self.seed, 0x51]).standard_normal((rows, self.d)).astype(np.float32)
        return self.q

    def _kv(self, store: dict, tag: int, index: int, rows: int) -> np.ndarray:
        if index not in store:
            store[index] = np.random.default_rng([self.seed, tag, index]).standard_normal(
                (rows, self.d)).astype(np.float32)
        return store[index]

    def __call__(self, fifo: FifoState, pipe: Pipe, index: int, elem: str, nbytes: int, shape: tuple):
        if pipe.direction != "C2V":
            return None
        role = self.roles.get(pipe.flag)
        if role is None:
            # The vector side pops S first; the other C2V pipe carries PV.
            role = "PV" if "S" in self.roles.values() else "S"
            self.roles[pipe.flag] = role
        s0 = shape[0]
        if role == "S":
            s1 = nbytes // 4 // s0
            self.s1 = s1
            k = self._kv(self.k, 0x4B, index, s1)
            return (self._q(s0) @ k.T).astype(np.float32).view(np.uint8).reshape(-1)
        pushes = [p for p in fifo.pushes if p.index == index and p.flag not in self.roles]
        if not pushes or self.s1 is None:
            raise SimError(f"cube model: PV pop #{index} before the vector kernel pushed P #{index} "
                           "(on the NPU the cube would wait for that P forever)")
        s1 = self.s1
        half = s0 // self.subblocks if self.subblocks > 1 else s0
        p = np.zeros((s0, s1), np.float32)
        for rec in pushes:
            data = np.frombuffer(rec.data, np.float16).astype(np.float32)
            lo = rec.subblock * half
            if data.size == s0 * s1:        # whole slot (GlobalTensor-form push)
                p[lo:lo + half] = data.reshape(s0, s1)[lo:lo + half]
            else:                           # this subblock's half (Tile-form TILE_UP_DOWN push)
                p[lo:lo + data.size // s1] = data.reshape(-1, s1)
        v = self._kv(self.v, 0x56, index, s1)
        return (p @ v).astype(np.float32).view(np.uint8).reshape(-1)


@dataclass
class FACheck:
    o: np.ndarray
    reference: np.ndarray
    max_abs_err: float
    ok: bool
    run: RunResult
    tiles: int


def reference(q: np.ndarray, ks: list, vs: list, scale: float) -> np.ndarray:
    k = np.concatenate(ks, axis=0).astype(np.float64)
    v = np.concatenate(vs, axis=0).astype(np.float64)
    s = (q.astype(np.float64) @ k.T) * scale
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    return (p @ v / p.sum(axis=1, keepdims=True)).astype(np.float32)


def fa_check(path, out_arg: str, head_dim: int = 128, scale: float | None = None, seed: int = 1,
             block_num: int = 1, block: int = 0, subblocks: int = 2, ub_size: int = UB_SIZE,
             function: str | None = None, schedule_seed: int | None = None,
             args: dict | None = None) -> FACheck:
    """Run one block (= one query block) of an FA kernel with the cube model; compare O."""
    cube = CubeModel(seed, head_dim, subblocks)
    options = SimOptions(function=function, args=args or {}, block_num=block_num, blocks=[block],
                         subblock_num=subblocks, ub_size=ub_size, provider=cube)
    run = run_kernel(path, seed, schedule_seed, options)
    region = run.regions[out_arg]
    written = np.flatnonzero((region.writer >= 0) & region.modelled())
    if written.size == 0:
        raise AssertionError(f"the kernel never stored to {out_arg}")
    lo, hi = int(written.min()), int(written.max()) + 1
    o = region.data[lo:hi].view(np.float32).reshape(-1, head_dim)
    n = len(cube.k)
    assert cube.q is not None, "the cube model never produced Q"
    ref = reference(cube.q, [cube.k[i] for i in range(n)], [cube.v[i] for i in range(n)],
                    scale if scale is not None else 1.0 / np.sqrt(head_dim))
    if o.shape != ref.shape:
        raise AssertionError(f"O has shape {o.shape}, reference {ref.shape}")
    err = float(np.max(np.abs(o - ref)))
    ok = bool(np.allclose(o, ref, rtol=FA_TOLERANCE["rtol"], atol=FA_TOLERANCE["atol"]))
    return FACheck(o, ref, err, ok, run, n)
