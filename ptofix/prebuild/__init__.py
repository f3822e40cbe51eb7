"""``ptofix build``: IR in, fixed C++ (and a compiled kernel) out, as one step of a kernel build.

The build replaces the shell steps of a kernel build script (pto-isa's FA ``compile.sh``):

    IR.mlir --canonicalize--> OUT/STEM.canon.mlir (+ OUT/STEM.slots.json)
            --ptoas FLAGS--> OUT/STEM.cpp            (ptoas writes C++ to stdout, as compile.sh uses it)
            --C++ passes---> OUT/STEM.fixed.cpp      (local-slot-num, pipe-v-barrier)
            --bisheng------> OUT/STEM.so             (only with a caller: -DKERNEL_CPP="OUT/STEM.fixed.cpp" CALLER)
    and OUT/STEM.report.json (settings and where each came from, commands, exit codes, pass reports).

Its modules, in the order a build uses them:

- :mod:`.config` reads ``ptofix.toml`` (or ``pyproject.toml``'s ``[tool.ptofix]``), keys by option name;
- :mod:`.options` says how a setting is given (flag, config key, variable) and generates the parser;
- :mod:`.settings` declares every option as a field of one frozen :class:`~.settings.BuildSettings`
  and resolves every value (flag > environment > config > default), each field with its origin;
- :mod:`.tools` finds and runs ptoas and bisheng;
- :mod:`.plan` makes every decision before anything runs (``--dry-run`` prints it);
- :mod:`.outdir` lays out and guards the output directory;
- :mod:`.stages` runs the plan; :func:`.stages.run_build` is what ``ptofix build`` calls.

This file imports none of them: ``canonicalize`` asks :mod:`.tools` for ptoas's version without
loading the rest.
"""
